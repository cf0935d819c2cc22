import { createEngine, createSessionFactory, type Engine, type SessionFactory } from "athanor";
import { schema, type DB } from "../schema.js";
import type { ServiceConfig } from "../service-config.js";

/** The service's database: one engine per process and the session factory made from it. */
export interface Database {
  readonly engine: Engine<DB>;
  readonly sessions: SessionFactory<DB>;
}

/**
 * The single source of truth for connection settings (seeds 000/001's `make_engine` and
 * `make_sessionmaker`): call it once per process, after the fork in cluster mode, and hand
 * the result to the app, the scheduler and the services.
 *
 * @example
 * ```ts
 * const { engine, sessions } = createDatabase(readServiceConfig());
 * ```
 */
export function createDatabase(config: Pick<ServiceConfig, "databaseUrl" | "poolSize" | "poolMaxOverflow" | "applicationName">): Database {
  const engine = createEngine(config.databaseUrl, {
    schema,
    // Names the connections in pg_stat_activity; a URL's application_name overrides it.
    postgres: { applicationName: config.applicationName },
    // Seed 003's pool: pre-ping, recycle after 5 minutes; overflow and pre-ping apply to PostgreSQL only.
    pool: { size: config.poolSize, maxOverflow: config.poolMaxOverflow, prePing: true, recycleMillis: 300_000, acquireTimeoutMillis: 10_000, disposeGraceMillis: 5_000 },
  });
  return { engine, sessions: createSessionFactory(engine) };
}
