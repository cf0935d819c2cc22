import type { Engine } from "../engine/engine.js";
import { AthanorError } from "../errors.js";
import type { Migrator } from "../migrate/migrator.js";
import type { ReadinessReport } from "./readiness-report.js";

/** Options of {@link checkReadiness}. */
export interface ReadinessOptions {
  /** Checks that the database is at this migrator's head (its revision files' heads). */
  readonly migrator?: Migrator;
  /** Callers that may wait for a connection before the pool counts as saturated. Default 0. */
  readonly maxPoolWaiting?: number;
}

/**
 * Whether the service can take traffic: the database answers (`engine.healthCheck()`), the
 * pool is not saturated, and the database is at the migrations' head. Each check is bounded
 * by the engine's `healthCheckTimeoutMillis`; never throws.
 *
 * @example
 * ```ts
 * const migrator = createMigrator(engine, { scripts: await loadRevisionScripts("./migrations") });
 * const report = await checkReadiness(engine, { migrator });
 * if (report.status !== "ready") console.warn(report.database.message, report.pool.message, report.migrations?.message);
 * ```
 */
export async function checkReadiness(engine: Engine, options: ReadinessOptions = {}): Promise<ReadinessReport> {
  // The pool first: the probe below takes a connection, and waits in line when there is none.
  const pool = engine.pool.status();
  const maxWaiting = options.maxPoolWaiting ?? 0;
  const saturated = pool.waiting > maxWaiting;
  const health = await engine.healthCheck();
  const database = { ok: health.status === "ok", message: health.message, version: health.version, latencyMillis: health.latencyMillis };
  const migrations = options.migrator === undefined ? null : await migrationCheck(options.migrator, database.ok, engine.options.healthCheckTimeoutMillis);
  const ready = database.ok && !saturated && (migrations === null || migrations.ok);
  return {
    status: ready ? "ready" : "not ready",
    database,
    pool: { ok: !saturated, message: saturated ? `saturated: ${pool.waiting} caller(s) waiting for a connection` : "has room", ...pool },
    migrations,
  };
}

async function migrationCheck(migrator: Migrator, reachable: boolean, timeoutMillis: number): Promise<NonNullable<ReadinessReport["migrations"]>> {
  const scriptHeads = [...migrator.graph.heads];
  if (!reachable) return { ok: false, message: "not checked: the database is unreachable", heads: [], scriptHeads };
  let timer: NodeJS.Timeout | undefined;
  try {
    const status = await Promise.race([
      migrator.status(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMillis} ms`)), timeoutMillis);
      }),
    ]);
    const atHead = status.heads.length === status.scriptHeads.length && status.scriptHeads.every((head) => status.heads.includes(head));
    const message = atHead ? "at head" : `at ${status.heads.join(", ") || "<base>"}, the migrations' head is ${status.scriptHeads.join(", ") || "<base>"}`;
    return { ok: atHead, message, heads: status.heads, scriptHeads: status.scriptHeads };
  } catch (error) {
    // The code only: a database's message may quote statements.
    const reason = error instanceof AthanorError ? error.code : error instanceof Error ? error.message : String(error);
    return { ok: false, message: `could not read the migration state: ${reason}`, heads: [], scriptHeads };
  } finally {
    clearTimeout(timer);
  }
}
