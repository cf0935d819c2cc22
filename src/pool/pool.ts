import type { CompiledQuery, QueryResult } from "kysely";
import type { MaybePromise } from "./maybe-promise.js";
import type { PoolStatus } from "./pool-status.js";

/**
 * What every backend's pool provides. Connections are checked out with `acquire()` and
 * must be handed back with `release()`; `close()` drains and closes everything. Each
 * returns a plain value instead of a promise when it did not have to wait.
 */
export interface Pool<C> {
  /** Checks a connection out, waiting at most `acquireTimeoutMillis`. */
  acquire(): MaybePromise<C>;
  /** Hands a connection back. A connection still inside a transaction is rolled back (or destroyed). */
  release(connection: C): MaybePromise<void>;
  /** Closes a checked-out connection instead of returning it (after a connection-level failure). */
  destroy(connection: C): MaybePromise<void>;
  /**
   * Runs one autocommit statement at once, without a promise, when the connection it needs is
   * free right now (SQLite, whose statements are synchronous); `undefined` when it would have
   * to wait: the caller then checks a connection out as usual. Absent where statements are
   * never synchronous.
   *
   * @example
   * ```ts
   * const result = pool.executeIfFree?.(compiledQuery) ?? (await runOnCheckedOutConnection(compiledQuery));
   * ```
   */
  executeIfFree?<R>(compiledQuery: CompiledQuery): QueryResult<R> | undefined;
  /** Current counters. */
  status(): PoolStatus;
  /** Drains and closes every connection. Idempotent. */
  close(): Promise<void>;
}
