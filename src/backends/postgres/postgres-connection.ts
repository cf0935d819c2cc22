import type { CompiledQuery, QueryResult, TransactionSettings } from "kysely";
import type pg from "pg";
import { ConnectionLostError, DatabaseError, NotSupportedError } from "../../errors.js";
import { quoteIdentifier } from "../quote-identifier.js";
import { StatementCache } from "../statement-cache.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import type { BackendConnection } from "../backend.js";
import { mapPostgresError } from "./postgres-error-mapper.js";
import { queryNamed } from "./postgres-named-query.js";

const PREPARABLE = new Set(["SelectQueryNode", "InsertQueryNode", "UpdateQueryNode", "DeleteQueryNode", "MergeQueryNode"]);
const AFFECTS_ROWS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);
/** SQLSTATE of "cached plan must not change result type". */
const STALE_PLAN = "0A000";

type TxStatus = "I" | "T" | "E" | null;
interface ClientInternals {
  getTransactionStatus?: () => TxStatus;
  connection?: { parsedStatements: Record<string, string>; submittedNamedStatements?: Record<string, string> };
}

/**
 * A pooled `pg.Client` with Athanor's behaviour: named prepared statements in a bounded
 * LRU, typed errors, query instrumentation and transaction control.
 */
export class PostgresConnection implements BackendConnection {
  readonly id: number;
  readonly client: pg.PoolClient;
  readonly createdAt = performance.now();
  /** Set when the client reported a connection-level error; it must not be reused. */
  broken = false;
  /** False until the first checkout has run the `onConnect` hook. */
  initialized = false;
  /** Number of checkouts so far (pre-ping skips brand-new connections). */
  checkouts = 0;
  readonly #instrumentation: Instrumentation;
  readonly #Query: typeof pg.Query;
  readonly #cacheSize: number;
  readonly #statements: StatementCache<string>;
  readonly #evicted: string[] = [];
  #nextName = 0;

  constructor(id: number, client: pg.PoolClient, Query: typeof pg.Query, instrumentation: Instrumentation, prepare: boolean, cacheSize: number) {
    this.id = id;
    this.client = client;
    this.#Query = Query;
    this.#instrumentation = instrumentation;
    this.#cacheSize = prepare ? cacheSize : 0;
    this.#statements = new StatementCache(this.#cacheSize);
  }

  /** The server's view of this connection: idle, in a transaction, or in a failed transaction. */
  get transactionStatus(): TxStatus {
    return (this.client as unknown as ClientInternals).getTransactionStatus?.() ?? null;
  }

  get inTransaction(): boolean {
    const status = this.transactionStatus;
    return status === "T" || status === "E";
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery;
    const tracing = this.#instrumentation.tracingQueries;
    const startedAt = tracing ? performance.now() : 0;
    const prepare = this.#cacheSize > 0 && (PREPARABLE.has(compiledQuery.query.kind) || parameters.length > 0);
    // Read before sending: pg rejects a failed query before the server reports the transaction state.
    const autocommit = this.transactionStatus === "I";
    try {
      let result: pg.QueryResult;
      try {
        result = await this.#send(sql, parameters, prepare);
      } catch (error) {
        // A cached statement whose result columns changed (ALTER TABLE under `select *`) fails
        // with 0A000 before it runs. Outside a transaction nothing happened and nothing was
        // aborted, so it is run once more under a fresh name; inside one, the error stands.
        if (!prepare || !autocommit || (error as { code?: unknown }).code !== STALE_PLAN) throw error;
        result = await this.#send(sql, parameters, prepare);
      }
      if (tracing) this.#instrumentation.query(sql, parameters, startedAt, result.rowCount ?? undefined);
      if (AFFECTS_ROWS.has(result.command) && result.rowCount !== null) {
        return { rows: result.rows ?? [], numAffectedRows: BigInt(result.rowCount) };
      }
      return { rows: result.rows ?? [] };
    } catch (error) {
      const mapped = mapPostgresError(error);
      if (mapped instanceof ConnectionLostError) this.broken = true;
      if (tracing) this.#instrumentation.query(sql, parameters, startedAt, undefined, mapped);
      this.#instrumentation.error(mapped, sql);
      throw mapped;
    }
  }

  async #send(sql: string, parameters: readonly unknown[], prepare: boolean): Promise<pg.QueryResult> {
    if (!prepare) return this.client.query(sql, parameters as unknown[]);
    const name = this.#nameFor(sql);
    try {
      return await queryNamed(this.client, this.#Query, name, sql, parameters as unknown[]);
    } catch (error) {
      // As pg's own promise does: a stack that leads back to the application, not to the socket.
      if (error instanceof Error) Error.captureStackTrace(error);
      // After a server-side failure (a failed parse, a stale plan) the statement may or may not
      // exist on the server: a fresh name next time is always safe.
      if (mapPostgresError(error) instanceof DatabaseError) this.#forget(sql, name);
      throw error;
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new NotSupportedError("streaming queries are not supported by Athanor's PostgreSQL backend yet; page with limit/offset or keyset");
  }

  /** Runs a statement through the simple protocol (transaction control, settings). */
  async execute(sql: string): Promise<void> {
    const tracing = this.#instrumentation.tracingQueries;
    const startedAt = tracing ? performance.now() : 0;
    try {
      await this.client.query(sql);
      if (tracing) this.#instrumentation.query(sql, [], startedAt, undefined);
    } catch (error) {
      const mapped = mapPostgresError(error);
      if (mapped instanceof ConnectionLostError) this.broken = true;
      if (tracing) this.#instrumentation.query(sql, [], startedAt, undefined, mapped);
      this.#instrumentation.error(mapped, sql);
      throw mapped;
    }
  }

  begin(settings: TransactionSettings): Promise<void> {
    let sql = "begin";
    if (settings.isolationLevel !== undefined) sql += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode !== undefined) sql += ` ${settings.accessMode}`;
    return this.execute(sql);
  }

  commit(): Promise<void> {
    return this.execute("commit");
  }

  rollback(): Promise<void> {
    return this.execute("rollback");
  }

  savepoint(name: string): Promise<void> {
    return this.execute(`savepoint ${quoteIdentifier(name)}`);
  }

  rollbackToSavepoint(name: string): Promise<void> {
    return this.execute(`rollback to savepoint ${quoteIdentifier(name)}`);
  }

  releaseSavepoint(name: string): Promise<void> {
    return this.execute(`release savepoint ${quoteIdentifier(name)}`);
  }

  get hasEvictedStatements(): boolean {
    return this.#evicted.length > 0;
  }

  /**
   * Frees prepared statements evicted from the LRU. Called on return to the pool, when no
   * transaction is open: a DEALLOCATE failing inside a user's transaction would abort it.
   */
  async deallocateEvicted(): Promise<void> {
    if (this.#evicted.length === 0) return;
    // One statement each, one after the other: a name whose parse had failed must not stop the
    // others, and pg deprecates queueing queries on a busy client.
    for (const name of this.#evicted.splice(0)) await this.client.query(`deallocate ${name}`).catch(() => undefined);
  }

  #nameFor(sql: string): string {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) return cached;
    const name = `athanor_${this.#nextName++}`;
    const evicted = this.#statements.add(sql, name);
    if (evicted !== undefined) {
      this.#dropParsed(evicted);
      this.#evicted.push(evicted);
    }
    return name;
  }

  #forget(sql: string, name: string): void {
    this.#statements.remove(sql, name);
    this.#dropParsed(name);
    this.#evicted.push(name);
  }

  #dropParsed(name: string): void {
    const connection = (this.client as unknown as ClientInternals).connection;
    if (connection === undefined) return;
    delete connection.parsedStatements[name];
    if (connection.submittedNamedStatements !== undefined) delete connection.submittedNamedStatements[name];
  }
}
