import type { CompiledQuery, QueryResult, TransactionSettings } from "kysely";
import type pg from "pg";
import { ConnectionLostError, DatabaseError, NotSupportedError } from "../../errors.js";
import { quoteIdentifier } from "../quote-identifier.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import type { BackendConnection } from "../backend.js";
import { mapPostgresError } from "./postgres-error-mapper.js";

const PREPARABLE = new Set(["SelectQueryNode", "InsertQueryNode", "UpdateQueryNode", "DeleteQueryNode", "MergeQueryNode"]);
const AFFECTS_ROWS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

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
  readonly #cacheSize: number;
  readonly #statements = new Map<string, string>();
  readonly #evicted: string[] = [];
  #nextName = 0;

  constructor(id: number, client: pg.PoolClient, instrumentation: Instrumentation, prepare: boolean, cacheSize: number) {
    this.id = id;
    this.client = client;
    this.#instrumentation = instrumentation;
    this.#cacheSize = prepare ? cacheSize : 0;
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
    const name = this.#cacheSize > 0 && (PREPARABLE.has(compiledQuery.query.kind) || parameters.length > 0) ? this.#nameFor(sql) : undefined;
    try {
      const result =
        name === undefined
          ? await this.client.query(sql, parameters as unknown[])
          : await this.client.query({ name, text: sql, values: parameters as unknown[] });
      if (tracing) this.#instrumentation.query(sql, parameters, startedAt, result.rowCount ?? undefined);
      if (AFFECTS_ROWS.has(result.command) && result.rowCount !== null) {
        return { rows: result.rows ?? [], numAffectedRows: BigInt(result.rowCount) };
      }
      return { rows: result.rows ?? [] };
    } catch (error) {
      const mapped = mapPostgresError(error);
      // A generic error may be a failed parse: the name may not exist on the server, so use a fresh one next time.
      if (name !== undefined && mapped instanceof DatabaseError) this.#forget(sql, name);
      if (mapped instanceof ConnectionLostError) this.broken = true;
      if (tracing) this.#instrumentation.query(sql, parameters, startedAt, undefined, mapped);
      this.#instrumentation.error(mapped, sql);
      throw mapped;
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

  /**
   * Frees prepared statements evicted from the LRU. Called on return to the pool, when no
   * transaction is open: a DEALLOCATE failing inside a user's transaction would abort it.
   */
  async deallocateEvicted(): Promise<void> {
    if (this.#evicted.length === 0) return;
    const names = this.#evicted.splice(0);
    // One statement each: a name whose parse had failed must not stop the others.
    await Promise.all(names.map((name) => this.client.query(`deallocate ${name}`).catch(() => undefined)));
  }

  #nameFor(sql: string): string {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      // Map iteration order is insertion order: re-inserting marks it most recently used.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const name = `athanor_${this.#nextName++}`;
    this.#statements.set(sql, name);
    if (this.#statements.size > this.#cacheSize) {
      const [oldestSql, oldestName] = this.#statements.entries().next().value as [string, string];
      this.#statements.delete(oldestSql);
      this.#dropParsed(oldestName);
      this.#evicted.push(oldestName);
    }
    return name;
  }

  #forget(sql: string, name: string): void {
    // After a failure the statement may or may not exist on the server; a fresh name next time is always safe.
    if (this.#statements.get(sql) === name) this.#statements.delete(sql);
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
