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
  const engine = createEngine(withApplicationName(config.databaseUrl, config.applicationName), {
    schema,
    // Seed 003's pool: pre-ping, recycle after 5 minutes; overflow and pre-ping apply to PostgreSQL only.
    pool: { size: config.poolSize, maxOverflow: config.poolMaxOverflow, prePing: true, recycleMillis: 300_000, acquireTimeoutMillis: 10_000, disposeGraceMillis: 5_000 },
  });
  return { engine, sessions: createSessionFactory(engine) };
}

/**
 * PostgreSQL URLs get `application_name` (unless they name one), so the service's connections
 * can be told apart in `pg_stat_activity`.
 */
// LIBRARY GAP: no engine option for PostgreSQL's application_name; only the URL parameter sets it.
export function withApplicationName(url: string, applicationName: string): string {
  if (!/^postgres(ql)?:/.test(url) || /[?&]application_name=/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}application_name=${encodeURIComponent(applicationName)}`;
}
