import type { ConnectionOptions as TlsOptions } from "node:tls";
import type { PoolOptions, ResolvedPoolOptions } from "../pool/pool-options.js";
import type { Logger } from "./log-record.js";
import { validateOptions, type OptionSpec } from "./option-spec.js";
import { checkPoolerOptions } from "./check-pooler-options.js";
import { DatabaseUrl, parseDatabaseUrl, type DialectName } from "./database-url.js";
import { ConfigurationError } from "../errors.js";
import type { Schema } from "../schema/define-schema.js";
import type { MetricsOptions, TracingOptions } from "./telemetry-options.js";

/**
 * A SQLite connection as handed to `sqlite.onConnect`: register functions, set pragmas.
 * (Structurally a better-sqlite3 `Database`.)
 */
export interface SqliteConnectionHandle {
  function(name: string, options: { deterministic?: boolean; varargs?: boolean }, fn: (...args: any[]) => unknown): unknown;
  function(name: string, fn: (...args: any[]) => unknown): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
}

/** A PostgreSQL client as handed to `postgres.onConnect` (structurally a `pg.Client`). */
export interface PostgresClientHandle {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** SQLite-only settings. */
export interface SqliteOptions {
  /** How long SQLite waits for a lock held by *another process* before `LockTimeoutError`. Default 5000. */
  readonly busyTimeoutMillis?: number;
  /** Journal mode for file databases. Default `"wal"`. */
  readonly journalMode?: "wal" | "delete" | "truncate" | "persist";
  /** `PRAGMA synchronous`. Default `"normal"` (safe with WAL). */
  readonly synchronous?: "off" | "normal" | "full" | "extra";
  /** Runs on every new connection, after Athanor's own setup (WAL, foreign keys, REGEXP). */
  readonly onConnect?: (connection: SqliteConnectionHandle) => void;
}

/** PostgreSQL-only settings. */
export interface PostgresOptions {
  /** TLS: `true`, or Node TLS options. Overrides the URL's `sslmode`. */
  readonly ssl?: boolean | TlsOptions;
  /** `statement_timeout` set on every connection. 0 = server default. */
  readonly statementTimeoutMillis?: number;
  /** `lock_timeout` set on every connection. 0 = server default. */
  readonly lockTimeoutMillis?: number;
  /** `idle_in_transaction_session_timeout` on every connection. 0 = server default. */
  readonly idleInTransactionTimeoutMillis?: number;
  /**
   * Client-side deadline of every statement: when the server has not answered after this
   * long, the connection is destroyed and the statement fails with `ConnectionLostError` (it
   * may or may not have run; a COMMIT fails with `CommitOutcomeUnknownError`). This is what
   * ends a statement on a connection that stopped answering (a frozen server, a stalled proxy),
   * where `statementTimeoutMillis`, enforced by that server, cannot. 0 = off.
   * Default: `statementTimeoutMillis + 5000` when `statementTimeoutMillis` is set (a statement
   * running longer is then a fault, not a slow query), else 0. Raise it, or set 0, when some
   * statements raise `statement_timeout` themselves (`SET LOCAL statement_timeout = …`).
   *
   * @example
   * ```ts
   * createEngine(url, { postgres: { statementTimeoutMillis: 30_000 } }); // queryTimeoutMillis 35 000
   * createEngine(url, { postgres: { queryTimeoutMillis: 120_000 } });
   * ```
   */
  readonly queryTimeoutMillis?: number;
  /**
   * TCP keepalive on every connection: idle time before the first probe (then 10 probes one
   * second apart on Linux), so a server or network path that vanished without a reset is
   * noticed, and NAT or firewall mappings of idle connections stay open. 0 = keepalive off.
   * Default 30 000.
   *
   * @example
   * ```ts
   * createEngine(url, { postgres: { keepAliveIdleMillis: 10_000 } });
   * ```
   */
  readonly keepAliveIdleMillis?: number;
  /**
   * `application_name` of every connection, shown in `pg_stat_activity` and the server's log:
   * name the service (and worker) so its connections can be told apart. A URL's
   * `application_name` parameter takes precedence, so a deployment can rename it without a code
   * change. At most 63 printable ASCII characters (what PostgreSQL keeps). Default `"athanor"`.
   *
   * @example
   * ```ts
   * createEngine(url, { postgres: { applicationName: `agent-api/worker-${cluster.worker?.id ?? 0}` } });
   * ```
   */
  readonly applicationName?: string;
  /** Runs on every new connection (e.g. `SET search_path`). */
  readonly onConnect?: (client: PostgresClientHandle) => void | Promise<void>;
  /**
   * What sits between Athanor and PostgreSQL. `"transaction"`: a transaction pooler (PgBouncer
   * with `pool_mode = transaction`), which may run each transaction on another server
   * connection, so nothing may rely on a server connection's state between transactions:
   * statements are sent unnamed (`prepareStatements` defaults to false, and `true` is
   * refused), and settings sent at connection start (`statementTimeoutMillis`,
   * `lockTimeoutMillis`, `idleInTransactionTimeoutMillis`, the URL's `options`) and
   * `onConnect` are refused with `PoolerIncompatibleError` (set them on the role instead:
   * `ALTER ROLE app SET statement_timeout = '30s'`); migrations hold a transaction-level lock
   * and run in one transaction. The URL parameter `?pooler=transaction` overrides it.
   * Default `"none"`. See docs/pgbouncer.md.
   *
   * @example
   * ```ts
   * createEngine("postgres://app@pgbouncer:6432/app", { postgres: { pooler: "transaction" } });
   * ```
   */
  readonly pooler?: Pooler;
  /**
   * How migrators keep each other out. `"advisory"`: PostgreSQL's advisory locks (a
   * session-level one on a connection of its own, or, behind a transaction pooler, a
   * transaction-level one). `"table"`: a row lock (`SELECT … FOR UPDATE`) on a row of the
   * table `athanor_migration_lock`, held by the migrator's one transaction, for PostgreSQL-wire
   * databases without advisory locks (CockroachDB, YugabyteDB). Default `"advisory"`.
   *
   * @example
   * ```ts
   * createEngine(process.env.COCKROACH_URL!, { postgres: { migrationLock: "table" } });
   * ```
   */
  readonly migrationLock?: "advisory" | "table";
  /**
   * Pipelining: how many connections, besides the pool, carry the engine's autocommit
   * statements, written one after another without waiting for the answers before them (pg
   * 8.23's pipeline mode; each statement has its own Sync, so one that fails fails alone).
   * Only what the query builder makes on `engine.db` outside a transaction goes there
   * (selects, inserts, updates, deletes); transactions and sessions, `db.connection()`,
   * streams and raw `sql` keep a pooled connection of their own. Under many concurrent
   * callers it does more with fewer connections; a slow statement delays the ones queued
   * behind it on its connection, and a lost connection fails all of them. `0` (default): off.
   * Not with `pooler: "transaction"`. See docs/pipelining.md.
   *
   * @example
   * ```ts
   * createEngine(process.env.DATABASE_URL!, { schema, postgres: { pipeline: 2 } });
   * ```
   */
  readonly pipeline?: number;
}

/** What sits between Athanor and PostgreSQL: nothing (`"none"`) or a transaction pooler such as PgBouncer (`"transaction"`). */
export type Pooler = "none" | "transaction";

/**
 * Options of {@link createEngine}. Validated when the engine is created: an unknown or
 * misspelt option is rejected by name; the result is frozen.
 *
 * @example
 * ```ts
 * createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", {
 *   pool: { size: 10, maxOverflow: 20, prePing: true, acquireTimeoutMillis: 5_000 },
 *   log: (record) => logger[record.level](record.message),
 * });
 * ```
 */
export interface EngineOptions {
  readonly pool?: PoolOptions;
  /**
   * PostgreSQL: run statements as named prepared statements cached per connection (bounded LRU).
   * Turn off behind PgBouncer in transaction mode. SQLite always caches prepared statements. Default true.
   */
  readonly prepareStatements?: boolean;
  /** Prepared statements kept per connection. Default 256. */
  readonly statementCacheSize?: number;
  /** Receives query, error, leak and connection records. */
  readonly log?: Logger;
  /** Include bound parameters in log records and `query` events. Default false (they may hold secrets). */
  readonly logParameters?: boolean;
  /** Development aid: print every statement and its duration to stderr. Default false. */
  readonly echo?: boolean;
  /** Upper bound for `engine.healthCheck()`. Default 5000. */
  readonly healthCheckTimeoutMillis?: number;
  /**
   * The application's schema (`defineSchema`). Installs the schema plugin on `engine.db` (and
   * so on every transaction and session): values read back identically on every dialect
   * (Date, boolean, parsed JSON, bigint, vectors) and `onUpdateNow()` columns are set on updates.
   */
  readonly schema?: Schema;
  readonly sqlite?: SqliteOptions;
  readonly postgres?: PostgresOptions;
  /**
   * Read replicas (PostgreSQL streaming standbys) beside the primary the engine's URL names:
   * one pool per server, each with the engine's pool options. Read-only sessions and
   * `engine.replicas.db` read from a healthy replica; everything else uses the primary.
   * See docs/read-replicas.md. PostgreSQL servers only (not SQLite or PGlite).
   *
   * @example
   * ```ts
   * createEngine(process.env.DATABASE_URL!, { replicas: [process.env.REPLICA_URL!], maxReplicaLagMillis: 5_000 });
   * ```
   */
  readonly replicas?: ReadonlyArray<string | DatabaseUrl>;
  /** A replica further behind the primary than this leaves rotation until it catches up. Default 10 000. */
  readonly maxReplicaLagMillis?: number;
  /** How often each replica is checked (reachable, replayed position, lag). Default 1000. */
  readonly replicaCheckIntervalMillis?: number;
  /**
   * OpenTelemetry spans for statements, sessions, pool waits and migrations (`@opentelemetry/api`
   * must be installed). Off by default, and then the package is never loaded. See docs/observability.md.
   *
   * @example
   * ```ts
   * createEngine(url, { tracing: true, metrics: true, slowQueryMillis: 500 });
   * ```
   */
  readonly tracing?: boolean | TracingOptions;
  /** OpenTelemetry pool gauges and statement durations (`@opentelemetry/api` must be installed). Off by default. */
  readonly metrics?: boolean | MetricsOptions;
  /** Statements taking at least this long emit a `slowQuery` event and a `warn` log record (never with parameters). 0 = off (default). */
  readonly slowQueryMillis?: number;
}

/** Engine options after validation, with every default filled in. */
export interface ResolvedEngineOptions {
  readonly pool: ResolvedPoolOptions;
  readonly prepareStatements: boolean;
  readonly statementCacheSize: number;
  readonly log: Logger | undefined;
  readonly logParameters: boolean;
  readonly echo: boolean;
  readonly healthCheckTimeoutMillis: number;
  readonly schema?: Schema | undefined;
  readonly sqlite: Required<Omit<SqliteOptions, "onConnect">> & Pick<SqliteOptions, "onConnect">;
  readonly postgres: Required<Omit<PostgresOptions, "onConnect" | "ssl" | "applicationName">> & Pick<PostgresOptions, "onConnect" | "ssl" | "applicationName">;
  /** Parsed replica URLs (empty without replicas). */
  readonly replicas: readonly DatabaseUrl[];
  readonly maxReplicaLagMillis: number;
  readonly replicaCheckIntervalMillis: number;
  readonly tracing: false | TracingOptions;
  readonly metrics: false | MetricsOptions;
  readonly slowQueryMillis: number;
}

// Node timers hold at most 2^31-1 ms; a larger delay fires after 1 ms instead.
const MAX_MILLIS = 2_147_483_647;
const MILLIS = { kind: "integer", min: 0, max: MAX_MILLIS } as const;

const SPEC: OptionSpec = {
  pool: {
    kind: "object",
    spec: {
      size: { kind: "integer", min: 1, max: 10_000 },
      maxOverflow: { kind: "integer", min: 0, max: 10_000 },
      overflowIdleMillis: MILLIS,
      prePing: { kind: "boolean" },
      prePingTimeoutMillis: { kind: "integer", min: 1, max: MAX_MILLIS },
      recycleMillis: MILLIS,
      acquireTimeoutMillis: { kind: "integer", min: 1, max: MAX_MILLIS },
      leakDetectionMillis: MILLIS,
      disposeGraceMillis: MILLIS,
    },
  },
  prepareStatements: { kind: "boolean" },
  statementCacheSize: { kind: "integer", min: 0, max: 100_000 },
  log: { kind: "function" },
  logParameters: { kind: "boolean" },
  echo: { kind: "boolean" },
  healthCheckTimeoutMillis: { kind: "integer", min: 1, max: MAX_MILLIS },
  schema: {
    kind: "any",
    describe: "a schema made with defineSchema()",
    test: (value) => typeof value === "object" && value !== null && typeof (value as { creationOrder?: unknown }).creationOrder === "function",
  },
  sqlite: {
    kind: "object",
    spec: {
      busyTimeoutMillis: MILLIS,
      journalMode: { kind: "choice", values: ["wal", "delete", "truncate", "persist"] },
      synchronous: { kind: "choice", values: ["off", "normal", "full", "extra"] },
      onConnect: { kind: "function" },
    },
  },
  postgres: {
    kind: "object",
    spec: {
      ssl: {
        kind: "any",
        describe: "a boolean or a TLS options object",
        test: (value) => typeof value === "boolean" || (typeof value === "object" && value !== null && !Array.isArray(value)),
        copy: true,
      },
      statementTimeoutMillis: MILLIS,
      lockTimeoutMillis: MILLIS,
      idleInTransactionTimeoutMillis: MILLIS,
      queryTimeoutMillis: MILLIS,
      keepAliveIdleMillis: MILLIS,
      applicationName: {
        kind: "any",
        describe: "1 to 63 printable ASCII characters",
        test: (value) => typeof value === "string" && /^[\x20-\x7e]{1,63}$/.test(value),
      },
      onConnect: { kind: "function" },
      pooler: { kind: "choice", values: ["none", "transaction"] },
      migrationLock: { kind: "choice", values: ["advisory", "table"] },
      pipeline: { kind: "integer", min: 0, max: 64 },
    },
  },
  replicas: {
    kind: "any",
    describe: "an array of postgres:// URLs",
    test: (value) => Array.isArray(value) && value.every((item) => typeof item === "string" || item instanceof DatabaseUrl),
    copy: true,
  },
  maxReplicaLagMillis: { kind: "integer", min: 1, max: MAX_MILLIS },
  replicaCheckIntervalMillis: { kind: "integer", min: 10, max: MAX_MILLIS },
  tracing: {
    kind: "any",
    describe: "true, false or { tracer?, includeQueryText? }",
    test: (value) =>
      typeof value === "boolean" ||
      telemetryObject(value, { tracer: (tracer) => typeof (tracer as { startSpan?: unknown }).startSpan === "function", includeQueryText: (flag) => typeof flag === "boolean" }),
  },
  metrics: {
    kind: "any",
    describe: "true, false or { meter? }",
    test: (value) => typeof value === "boolean" || telemetryObject(value, { meter: (meter) => typeof (meter as { createHistogram?: unknown }).createHistogram === "function" }),
  },
  slowQueryMillis: MILLIS,
};

/** A plain object of the given keys (each optional), each value passing its check. */
function telemetryObject(value: unknown, keys: Record<string, (item: unknown) => boolean>): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([key, item]) => item === undefined || (Object.hasOwn(keys, key) && keys[key]!(item)));
}

/**
 * Validates user options and fills in defaults. Throws `ConfigurationError` naming the bad
 * option, and `PoolerIncompatibleError` for options a transaction pooler cannot honour
 * (`urlPooler`, `urlPipeline`: the URL's `pooler` and `pipeline` parameters, which override
 * `postgres.pooler` and `postgres.pipeline`).
 */
export function resolveEngineOptions(options: EngineOptions | undefined, dialect: DialectName, urlPooler?: Pooler, urlPipeline?: number): ResolvedEngineOptions {
  const validated = validateOptions<EngineOptions>(options, SPEC, "options");
  const given: EngineOptions = urlPipeline === undefined ? validated : { ...validated, postgres: { ...validated.postgres, pipeline: urlPipeline } };
  const pooler = dialect === "postgres" ? (urlPooler ?? given.postgres?.pooler ?? "none") : "none";
  if (pooler === "transaction") checkPoolerOptions(given);
  const pool = given.pool ?? {};
  const sqlite = given.sqlite ?? {};
  const postgres = given.postgres ?? {};
  return Object.freeze({
    pool: Object.freeze({
      size: pool.size ?? (dialect === "sqlite" ? 4 : 10),
      maxOverflow: pool.maxOverflow ?? 10,
      overflowIdleMillis: pool.overflowIdleMillis ?? 10_000,
      prePing: pool.prePing ?? false,
      prePingTimeoutMillis: pool.prePingTimeoutMillis ?? 2_000,
      recycleMillis: pool.recycleMillis ?? 0,
      acquireTimeoutMillis: pool.acquireTimeoutMillis ?? 30_000,
      leakDetectionMillis: pool.leakDetectionMillis ?? 0,
      disposeGraceMillis: pool.disposeGraceMillis ?? 5_000,
    }),
    prepareStatements: given.prepareStatements ?? pooler !== "transaction",
    statementCacheSize: given.statementCacheSize ?? 256,
    log: given.log,
    logParameters: given.logParameters ?? false,
    echo: given.echo ?? false,
    healthCheckTimeoutMillis: given.healthCheckTimeoutMillis ?? 5_000,
    schema: given.schema,
    sqlite: Object.freeze({
      busyTimeoutMillis: sqlite.busyTimeoutMillis ?? 5_000,
      journalMode: sqlite.journalMode ?? "wal",
      synchronous: sqlite.synchronous ?? "normal",
      onConnect: sqlite.onConnect,
    }),
    postgres: Object.freeze({
      ssl: postgres.ssl,
      statementTimeoutMillis: postgres.statementTimeoutMillis ?? 0,
      lockTimeoutMillis: postgres.lockTimeoutMillis ?? 0,
      idleInTransactionTimeoutMillis: postgres.idleInTransactionTimeoutMillis ?? 0,
      queryTimeoutMillis: postgres.queryTimeoutMillis ?? defaultQueryTimeout(postgres.statementTimeoutMillis ?? 0),
      keepAliveIdleMillis: postgres.keepAliveIdleMillis ?? 30_000,
      applicationName: postgres.applicationName,
      onConnect: postgres.onConnect,
      pooler,
      migrationLock: postgres.migrationLock ?? "advisory",
      pipeline: postgres.pipeline ?? 0,
    }),
    replicas: Object.freeze((given.replicas ?? []).map(replicaUrl)),
    maxReplicaLagMillis: given.maxReplicaLagMillis ?? 10_000,
    replicaCheckIntervalMillis: given.replicaCheckIntervalMillis ?? 1_000,
    tracing: given.tracing === true ? Object.freeze({}) : given.tracing === undefined || given.tracing === false ? false : Object.freeze({ ...given.tracing }),
    metrics: given.metrics === true ? Object.freeze({}) : given.metrics === undefined || given.metrics === false ? false : Object.freeze({ ...given.metrics }),
    slowQueryMillis: given.slowQueryMillis ?? 0,
  });
}

/** A replica's URL, parsed: a PostgreSQL server (`postgres://`), named by index in errors, its password masked. */
function replicaUrl(given: string | DatabaseUrl, index: number): DatabaseUrl {
  let url: DatabaseUrl;
  try {
    url = given instanceof DatabaseUrl ? given : parseDatabaseUrl(given);
  } catch (error) {
    throw new ConfigurationError(`option options.replicas[${index}]: ${(error as Error).message}`, { cause: error });
  }
  if (url.driver !== "pg") throw new ConfigurationError(`option options.replicas[${index}] must be a postgres:// URL of a PostgreSQL standby, got "${url}"`);
  return url;
}

/** How much longer than `statement_timeout` the client waits for the server's answer (its cancellation, at the latest). */
const QUERY_TIMEOUT_GRACE_MILLIS = 5_000;

function defaultQueryTimeout(statementTimeoutMillis: number): number {
  return statementTimeoutMillis === 0 ? 0 : Math.min(MAX_MILLIS, statementTimeoutMillis + QUERY_TIMEOUT_GRACE_MILLIS);
}
