import type { ServiceConfig } from "../service-config.js";
import { checkConnectionBudget, type ConnectionBudget } from "./check-connection-budget.js";
import { createDatabase } from "./create-database.js";
import { migrateToHead } from "./migrate-to-head.js";
import { seedDemoData } from "./seed-demo-data.js";

/** What start-up did to the database. */
export interface PreparedDatabase {
  /** PostgreSQL: the connection budget checked; SQLite: undefined. */
  readonly budget: ConnectionBudget | undefined;
  /** Revisions applied now (empty when the database was at head). */
  readonly applied: readonly string[];
  /** True when the demo data was seeded (the database had no users). */
  readonly seeded: boolean;
}

/**
 * Start-up work done once, before any worker serves: the connection budget (PostgreSQL),
 * migrations to head, the demo data into an empty database. It uses an engine of its own
 * with a single connection, disposed before returning, so the primary of a cluster holds no
 * connection while its workers run (seed 004: workers make their own).
 *
 * @example
 * ```ts
 * const { applied, seeded } = await prepareDatabase(readServiceConfig());
 * ```
 */
export async function prepareDatabase(config: ServiceConfig): Promise<PreparedDatabase> {
  const { engine, sessions } = createDatabase({ ...config, poolSize: 1, poolMaxOverflow: 0 });
  try {
    const budget = await checkConnectionBudget(engine, {
      workers: config.workers,
      poolSize: config.poolSize,
      poolMaxOverflow: config.poolMaxOverflow,
      headroom: config.connectionHeadroom,
    });
    const migration = await migrateToHead(engine);
    const seeded = (await seedDemoData(sessions)) !== undefined;
    return { budget, applied: migration.steps.filter((step) => step.status === "applied").map((step) => step.revision), seeded };
  } finally {
    await engine.dispose();
  }
}
