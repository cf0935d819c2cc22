import type { Backend } from "../backends/backend.js";
import { createPostgresBackend } from "../backends/postgres/postgres-backend.js";
import { createSqliteBackend } from "../backends/sqlite/sqlite-backend.js";
import { createPgliteBackend } from "../backends/pglite/pglite-backend.js";
import type { Schema } from "../schema/define-schema.js";
import type { InferDatabase } from "../schema/infer-database.js";
import { assembleEngine } from "./assemble-engine.js";
import { DatabaseUrl, parseDatabaseUrl } from "./database-url.js";
import { EngineParts } from "./engine-parts.js";
import type { Engine } from "./engine.js";
import { resolveEngineOptions, type EngineOptions } from "./engine-options.js";
import { Instrumentation } from "./instrumentation.js";
import { Telemetry } from "./telemetry.js";
import { tracedPool } from "./traced-pool.js";
import type { Logger, LogRecord } from "./log-record.js";
import { withReplicas } from "./replicas/with-replicas.js";

/**
 * Creates an engine: URL → backend → pool → Kysely dialect, assembled in that order.
 * Synchronous and lazy: options are validated now (unknown ones rejected by name), the
 * first connection opens with the first statement.
 *
 * With `{ schema }` the engine's database type is inferred from the schema
 * (`Engine<InferDatabase<typeof schema>>`), and values read back as the schema declares
 * them on every dialect; that is the way to use a declared schema. Without it, give the
 * database interface yourself (`createEngine<DB>(url)`): values are then what the driver
 * returns.
 *
 * @param url `postgres://…`, `postgresql://…`, `sqlite:<path>`, `sqlite:///<path>`, `sqlite::memory:`,
 *   `pglite:<directory>` or `pglite::memory:` (PostgreSQL in this process, with `@electric-sql/pglite`)
 *
 * @example
 * ```ts
 * import { createEngine } from "athanor";
 * import { schema } from "./schema.js";
 * const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", {
 *   schema,
 *   pool: { size: 10, maxOverflow: 20, prePing: true, acquireTimeoutMillis: 5_000 },
 * });
 * ```
 */
export function createEngine<S extends Schema<any>>(url: string | DatabaseUrl, options: EngineOptions & { readonly schema: S }): Engine<InferDatabase<S>>;
export function createEngine<DB = any>(url: string | DatabaseUrl, options?: EngineOptions): Engine<DB>;
export function createEngine<DB = any>(url: string | DatabaseUrl, options?: EngineOptions): Engine<DB> {
  // Anything but a DatabaseUrl is parsed, so a number, an object or undefined is a ConfigurationError now, not at the first query.
  const parsed = url instanceof DatabaseUrl ? url : parseDatabaseUrl(url);
  const resolved = resolveEngineOptions(options, parsed.dialect, parsed.pooler, parsed.pipeline);
  const telemetry = Telemetry.create(parsed, resolved.tracing, resolved.metrics);
  const instrumentation = new Instrumentation(combineLoggers(resolved.log, resolved.echo ? echoLogger : undefined), resolved.logParameters, telemetry, resolved.slowQueryMillis);
  const create = (at: DatabaseUrl): Backend => BACKENDS[at.driver](at, resolved, instrumentation);
  let backend: Backend = create(parsed);
  if (telemetry !== undefined) {
    const pool = backend.pool;
    backend = { ...backend, pool: tracedPool(pool, telemetry, instrumentation) };
    telemetry.observePool(() => pool.status(), resolved.pool.size + resolved.pool.maxOverflow);
  }
  const parts = new EngineParts(backend, resolved.schema);
  if (resolved.replicas.length === 0) return assembleEngine<DB>(parsed, resolved, backend, instrumentation, parts);
  const replicated = withReplicas(parsed, backend, resolved, instrumentation, create);
  return assembleEngine<DB>(parsed, resolved, replicated.primary, instrumentation, parts, replicated.set);
}

const BACKENDS = { pg: createPostgresBackend, pglite: createPgliteBackend, "better-sqlite3": createSqliteBackend } as const;

function combineLoggers(...loggers: Array<Logger | undefined>): Logger | undefined {
  const present = loggers.filter((logger): logger is Logger => logger !== undefined);
  if (present.length <= 1) return present[0];
  return (record) => {
    for (const logger of present) logger(record);
  };
}

/** `echo: true`: statements and durations to stderr, like SQLAlchemy's `echo=True`. */
function echoLogger(record: LogRecord): void {
  process.stderr.write(`[athanor] ${record.level} ${record.message}\n`);
}
