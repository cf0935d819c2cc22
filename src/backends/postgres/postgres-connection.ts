import type { CompiledQuery, QueryResult, TransactionSettings } from "kysely";
import type pg from "pg";
import { ConnectionLostError, DatabaseError, NotSupportedError, PoolerIncompatibleError } from "../../errors.js";
import { quoteIdentifier } from "../quote-identifier.js";
import { StatementCache } from "../statement-cache.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import type { BackendConnection } from "../backend.js";
import { mapPostgresError } from "./postgres-error-mapper.js";
import { queryNamed, type PipelinedBegin } from "./postgres-named-query.js";
import { copyRowsOf } from "../copy-rows.js";
import { copyFromStdin } from "./postgres-copy.js";
import type { CatalogQuery, PostgresRowDecoders } from "./postgres-row-decoders.js";

const PREPARABLE = new Set(["SelectQueryNode", "InsertQueryNode", "UpdateQueryNode", "DeleteQueryNode", "MergeQueryNode"]);
const AFFECTS_ROWS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"]);
/**
 * Statement names are unique in the process, not only per connection: connections that share
 * one server session (engines on one PGlite instance, a pglite-socket server) never collide.
 */
let nextStatementName = 0;
/** SQLSTATE of "cached plan must not change result type". */
const STALE_PLAN = "0A000";

type TxStatus = "I" | "T" | "E" | null;
interface ClientInternals {
  getTransactionStatus?: () => TxStatus;
  connection?: { parsedStatements: Record<string, string>; submittedNamedStatements?: Record<string, string> };
}

/** `begin`, with the isolation level and access mode of `settings`. */
function beginStatement(settings: TransactionSettings): string {
  let sql = "begin";
  if (settings.isolationLevel !== undefined) sql += ` isolation level ${settings.isolationLevel}`;
  if (settings.accessMode !== undefined) sql += ` ${settings.accessMode}`;
  return sql;
}

/** `client.query(sql)` through pg's callback form: one promise instead of pg's two. */
function simpleQuery(client: pg.ClientBase, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.query(sql, (error: Error | undefined) => (error ? reject(error) : resolve()));
  });
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
  readonly #queryTimeoutMillis: number;
  readonly #statements: StatementCache<string>;
  readonly #evicted: string[] = [];

  readonly #decoders: PostgresRowDecoders | undefined;

  /** @param decoders the engine's schema values, read back by each result's row description (none without a schema) */
  constructor(
    id: number,
    client: pg.PoolClient,
    Query: typeof pg.Query,
    instrumentation: Instrumentation,
    prepare: boolean,
    cacheSize: number,
    queryTimeoutMillis = 0,
    decoders: PostgresRowDecoders | undefined = undefined,
  ) {
    this.id = id;
    this.#decoders = decoders;
    this.client = client;
    this.#Query = Query;
    this.#instrumentation = instrumentation;
    this.#cacheSize = prepare ? cacheSize : 0;
    this.#queryTimeoutMillis = queryTimeoutMillis;
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

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.#execute<R>(compiledQuery, undefined);
  }

  /**
   * Begins a transaction and runs its first statement in one round trip (see
   * {@link BackendConnection.beginWith}). Only for statements sent with the extended protocol
   * anyway (prepared, or with parameters); `undefined` for the others, which may hold several
   * statements and must go through the simple protocol after a separate BEGIN.
   */
  beginWith<R>(settings: TransactionSettings, compiledQuery: CompiledQuery, began: () => void): Promise<QueryResult<R>> | undefined {
    // A COPY's data travels in messages of its own, after a separate BEGIN.
    if ((!this.#prepares(compiledQuery) && compiledQuery.parameters.length === 0) || copyRowsOf(compiledQuery.parameters) !== undefined) return undefined;
    const sql = beginStatement(settings);
    const tracing = this.#instrumentation.tracingQueries;
    const startedAt = tracing ? performance.now() : 0;
    return this.#execute<R>(compiledQuery, {
      sql,
      began: () => {
        if (tracing) this.#instrumentation.query(sql, [], startedAt, undefined);
        began();
      },
    });
  }

  async #execute<R>(compiledQuery: CompiledQuery, begin: PipelinedBegin | undefined): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery;
    const tracing = this.#instrumentation.tracingQueries;
    const startedAt = tracing ? performance.now() : 0;
    // Read before sending: pg rejects a failed query before the server reports the transaction state.
    const autocommit = begin === undefined && this.transactionStatus === "I";
    const name = this.#prepares(compiledQuery) ? this.#nameFor(sql) : undefined;
    try {
      let result: pg.QueryResult;
      try {
        result = await this.#send(sql, parameters, name, begin);
      } catch (error) {
        this.#sendFailed(error, sql, name);
        // A cached statement whose result columns changed (ALTER TABLE under `select *`) fails
        // with 0A000 before it runs. Outside a transaction nothing happened and nothing was
        // aborted, so it is run once more under a fresh name; inside one, the error stands.
        if (name === undefined || !autocommit || (error as { code?: unknown }).code !== STALE_PLAN) throw error;
        const retryName = this.#nameFor(sql);
        try {
          result = await this.#send(sql, parameters, retryName, undefined);
        } catch (retryError) {
          this.#sendFailed(retryError, sql, retryName);
          throw retryError;
        }
      }
      if (tracing) this.#instrumentation.query(sql, parameters, startedAt, result.rowCount ?? undefined);
      const rows = result.rows ?? [];
      if (this.#decoders !== undefined && rows.length > 0) {
        const decoder = this.#decoders.forResult(sql, result.fields, this.#catalog);
        (decoder instanceof Promise ? await decoder : decoder)?.(rows);
      }
      if (AFFECTS_ROWS.has(result.command) && result.rowCount !== null) {
        return { rows, numAffectedRows: BigInt(result.rowCount) };
      }
      return { rows };
    } catch (error) {
      throw this.#failed(error, sql, parameters, startedAt, tracing);
    }
  }

  /** A catalog read for the row decoders, on this connection (inside its transaction, if any). */
  readonly #catalog: CatalogQuery = async <R extends pg.QueryResultRow>(sql: string, values: unknown[]) =>
    (await this.#bounded(this.client.query<R>(sql, values))).rows;

  /** Sent as a named prepared statement: Kysely's DML, and anything with parameters (unless `prepareStatements` is off). */
  #prepares(compiledQuery: CompiledQuery): boolean {
    return this.#cacheSize > 0 && (PREPARABLE.has(compiledQuery.query.kind) || compiledQuery.parameters.length > 0) && copyRowsOf(compiledQuery.parameters) === undefined;
  }

  /** One statement: prepared under `name`, or unnamed when `name` is undefined; with `begin` in front of it. */
  #send(sql: string, parameters: readonly unknown[], name: string | undefined, begin: PipelinedBegin | undefined): Promise<pg.QueryResult> {
    const copy = copyRowsOf(parameters);
    if (copy !== undefined) return this.#bounded(copyFromStdin(this.client, sql, copy));
    if (name === undefined && begin === undefined) return this.#bounded(this.client.query(sql, parameters as unknown[]));
    return this.#bounded(queryNamed(this.client, this.#Query, name, sql, parameters as unknown[], begin));
  }

  /**
   * `answer`, or `ConnectionLostError` after `queryTimeoutMillis` without one. The connection
   * is then destroyed: its answer may still come, and would belong to no statement.
   */
  #bounded<T>(answer: Promise<T>): Promise<T> {
    const millis = this.#queryTimeoutMillis;
    if (millis === 0) return answer;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.broken = true;
        reject(
          new ConnectionLostError(
            `the server did not answer within postgres.queryTimeoutMillis (${millis} ms): the connection was destroyed, and the statement may or may not have run`,
          ),
        );
        // With a statement in flight pg's end() destroys the socket at once.
        this.client.end().catch(() => undefined);
      }, millis);
      answer.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  #sendFailed(error: unknown, sql: string, name: string | undefined): void {
    // As pg's own promise does: a stack that leads back to the application, not to the socket.
    if (error instanceof Error) Error.captureStackTrace(error);
    // After a server-side failure (a failed parse, a stale plan) the statement may or may not
    // exist on the server: a fresh name next time is always safe.
    const mapped = name === undefined ? undefined : mapPostgresError(error);
    if (name !== undefined && (mapped instanceof DatabaseError || mapped instanceof PoolerIncompatibleError)) this.#forget(sql, name);
  }

  #failed(error: unknown, sql: string, parameters: readonly unknown[], startedAt: number, tracing: boolean): Error {
    const mapped = mapPostgresError(error);
    if (mapped instanceof ConnectionLostError) this.broken = true;
    if (tracing) this.#instrumentation.query(sql, parameters, startedAt, undefined, mapped);
    this.#instrumentation.error(mapped, sql);
    return mapped;
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
      await this.#bounded(simpleQuery(this.client, sql));
      if (tracing) this.#instrumentation.query(sql, [], startedAt, undefined);
    } catch (error) {
      if (error instanceof Error) Error.captureStackTrace(error);
      throw this.#failed(error, sql, [], startedAt, tracing);
    }
  }

  begin(settings: TransactionSettings): Promise<void> {
    return this.execute(beginStatement(settings));
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
    for (const name of this.#evicted.splice(0)) await this.#bounded(this.client.query(`deallocate ${name}`)).catch(() => undefined);
  }

  #nameFor(sql: string): string {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) return cached;
    const name = `athanor_${nextStatementName++}`;
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
