import type { CompiledQuery, DatabaseConnection, DatabaseIntrospector, DialectAdapter, Kysely, QueryCompiler, QueryResult, TransactionSettings } from "kysely";
import type { DialectName } from "../engine/database-url.js";
import type { MaybePromise } from "../pool/maybe-promise.js";
import type { Pool } from "../pool/pool.js";
import type { BackendCapabilities } from "./backend-capabilities.js";
import type { TypeMapping } from "./type-mapping.js";
import type { MigrationLock } from "./migration-lock.js";
import type { ScratchDatabase } from "./scratch-database.js";
import type { ReplicationProbe } from "./replication-probe.js";
import type { StatementPipeline } from "./statement-pipeline.js";

/**
 * One pooled connection as the rest of Athanor sees it: a Kysely `DatabaseConnection`
 * plus transaction control, so sessions never write dialect-specific SQL.
 */
export interface BackendConnection extends DatabaseConnection {
  /** Unique per engine, for events and diagnostics. */
  readonly id: number;
  /** Starts a transaction (on SQLite this first takes the writer lock unless read-only). */
  begin(settings: TransactionSettings): MaybePromise<void>;
  commit(): MaybePromise<void>;
  rollback(): MaybePromise<void>;
  savepoint(name: string): MaybePromise<void>;
  rollbackToSavepoint(name: string): MaybePromise<void>;
  releaseSavepoint(name: string): MaybePromise<void>;
  /**
   * Begins a transaction and runs its first statement in one round trip, where the backend
   * can (PostgreSQL, for statements it sends with the extended protocol). Calls `began` once
   * the BEGIN has succeeded: when the statement then fails, the transaction is open (and, on
   * PostgreSQL, aborted) like after a separate BEGIN. Returns `undefined` when this statement
   * cannot go with the BEGIN; the caller then uses `begin()` and `executeQuery()`.
   */
  beginWith?<R>(settings: TransactionSettings, compiledQuery: CompiledQuery, began: () => void): Promise<QueryResult<R>> | undefined;
  /**
   * Runs a statement at once, without a promise, where the backend can (SQLite, inside a
   * transaction): sessions use it to spare two promises per statement.
   */
  executeNow?<R>(compiledQuery: CompiledQuery): QueryResult<R>;
  /** True while a transaction is open on this connection. */
  readonly inTransaction: boolean;
}

/** Server facts reported by health checks. */
export interface ServerInfo {
  readonly version: string;
}

/** A server's connection limit: `max_connections`, of which `reserved` are kept for superusers. */
export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly reserved: number;
}

/**
 * Everything that differs per database, behind one interface (same file shape in every
 * `backends/<db>/` folder).
 */
export interface Backend {
  readonly dialect: DialectName;
  readonly capabilities: BackendCapabilities;
  readonly pool: Pool<BackendConnection>;
  /** Portable column types on this database: DDL, value conversion, catalog reading (used by `athanor/schema`). */
  readonly typeMapping: TypeMapping;
  createQueryCompiler(): QueryCompiler;
  createAdapter(): DialectAdapter;
  createIntrospector(db: Kysely<any>): DatabaseIntrospector;
  /** Runs a trivial statement and reports the server version. */
  serverInfo(connection: BackendConnection): Promise<ServerInfo>;
  /** The server's connection limit, where it has one shared by many processes (PostgreSQL servers). */
  connectionLimits?(connection: BackendConnection): Promise<ConnectionLimits>;
  /** A lock against concurrent migrators of this database, across processes. */
  createMigrationLock(name: string): MigrationLock;
  /** An empty database of the same kind, to run something on and throw away (SQLite: in memory; PostgreSQL: a new database on the same server). */
  createScratchDatabase(): Promise<ScratchDatabase>;
  /** Replication positions, where the backend can serve read replicas (a PostgreSQL server); absent elsewhere. */
  readonly replication?: ReplicationProbe;
  /** Where the engine's autocommit builder statements go instead of the pool, when pipelining is on (PostgreSQL `postgres.pipeline`). */
  readonly pipeline?: StatementPipeline;
}
