import type { CompiledQuery, QueryResult, TransactionSettings } from "kysely";
import type { BackendConnection } from "../backends/backend.js";
import { DatabaseError, SandboxUnsupportedError, TransactionStateError } from "../errors.js";
import { isPromise, type MaybePromise } from "../pool/maybe-promise.js";

/**
 * The savepoint of a sandbox transaction or lone statement. One name, not a counter: SQLite
 * prepares and caches each distinct SQL text, so a new name per call filled the statement
 * cache with statements each prepared for one use, which in time pushed out the ones the
 * tests do repeat. One is enough: a sandbox connection has at most one savepoint of its own
 * open at a time.
 */
const SAVEPOINT = "athanor_sandbox";

/**
 * The sandbox's one real connection, seen by the code under test: it sits inside the
 * sandbox's outer transaction, so every transaction begun on it is a SAVEPOINT (`commit()`
 * releases it, `rollback()` rolls back to it), and a statement outside a transaction runs in
 * a savepoint of its own, so a failing one cannot abort the outer transaction (PostgreSQL
 * would refuse every later statement of the test). Isolation level and access mode cannot
 * be set on a savepoint: they are not applied inside a sandbox.
 *
 * When the test ends the connection is fenced ({@link end}): a session of the code under test
 * still running then (a background task, a timer) gets `SandboxUnsupportedError` at its next
 * step, instead of running it on the real connection, which by then is back in the pool and
 * may be the next test's.
 */
export class SandboxConnection implements BackendConnection {
  readonly id: number;
  /** The real connection, inside the outer transaction. */
  readonly inner: BackendConnection;
  /** True while a transaction of the code under test (a savepoint) is open. */
  #inTransaction = false;
  #ended = false;
  readonly executeNow?: <R>(compiledQuery: CompiledQuery) => QueryResult<R>;

  constructor(inner: BackendConnection) {
    this.inner = inner;
    this.id = inner.id;
    if (inner.executeNow !== undefined) {
      // Sessions use it only inside their transaction: the savepoint is open, no wrapping needed.
      this.executeNow = <R>(compiledQuery: CompiledQuery) => {
        this.#assertOpen();
        try {
          return inner.executeNow!<R>(compiledQuery);
        } catch (error) {
          throw explained(error);
        }
      };
    }
  }

  /** The test ended: every later step of a session still holding this connection is refused. */
  end(): void {
    this.#ended = true;
  }

  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  begin(_settings: TransactionSettings): MaybePromise<void> {
    this.#assertOpen();
    if (this.#inTransaction) throw new TransactionStateError("a transaction is already open on this connection");
    this.#inTransaction = true;
    return this.inner.savepoint(SAVEPOINT);
  }

  commit(): MaybePromise<void> {
    this.#assertOpen();
    this.#take();
    return this.inner.releaseSavepoint(SAVEPOINT);
  }

  rollback(): MaybePromise<void> {
    this.#assertOpen();
    this.#take();
    return then(this.inner.rollbackToSavepoint(SAVEPOINT), () => this.inner.releaseSavepoint(SAVEPOINT));
  }

  savepoint(name: string): MaybePromise<void> {
    this.#assertOpen();
    return this.inner.savepoint(name);
  }

  rollbackToSavepoint(name: string): MaybePromise<void> {
    this.#assertOpen();
    return this.inner.rollbackToSavepoint(name);
  }

  releaseSavepoint(name: string): MaybePromise<void> {
    this.#assertOpen();
    return this.inner.releaseSavepoint(name);
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    this.#assertOpen();
    if (this.#inTransaction) return this.#execute<R>(compiledQuery);
    await this.inner.savepoint(SAVEPOINT);
    try {
      const result = await this.#execute<R>(compiledQuery);
      await this.inner.releaseSavepoint(SAVEPOINT);
      return result;
    } catch (error) {
      await this.inner.rollbackToSavepoint(SAVEPOINT);
      await this.inner.releaseSavepoint(SAVEPOINT);
      throw error;
    }
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.#assertOpen();
    return this.inner.streamQuery<R>(compiledQuery, chunkSize);
  }

  #assertOpen(): void {
    if (this.#ended) throw new SandboxUnsupportedError("the test sandbox has been closed (its test ended) while this session was still running; code that runs after its test must get its own database");
  }

  #take(): void {
    if (!this.#inTransaction) throw new TransactionStateError("no transaction is open on this connection");
    this.#inTransaction = false;
  }

  async #execute<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(compiledQuery);
    } catch (error) {
      throw explained(error);
    }
  }
}

function then(step: MaybePromise<void>, next: () => MaybePromise<void>): MaybePromise<void> {
  return isPromise(step) ? step.then(next) : next();
}

/** Statements a database refuses inside a transaction block get an error that says why and what to do. */
function explained(error: unknown): unknown {
  return outsideTransactionOnly(error) ? sandboxRefused(error) : error;
}

/** PostgreSQL 25001 ("cannot run inside a transaction block"); SQLite's "within a transaction" refusals. */
function outsideTransactionOnly(error: unknown): error is DatabaseError {
  if (!(error instanceof DatabaseError)) return false;
  return error.databaseCode === "25001" || /(cannot (vacuum|change into wal mode|change out of wal mode)|safety level may not be changed) (from )?(with)?in(side)? a transaction/i.test(error.message);
}

function sandboxRefused(error: DatabaseError): SandboxUnsupportedError {
  return new SandboxUnsupportedError(
    `${error.message}: the test sandbox runs everything inside one transaction that it rolls back. ` +
      `Run this test with openSandbox(engine, { mode: "truncate", schema }) or on a fresh database from the template (docs/testing.md)`,
    { cause: error },
  );
}
