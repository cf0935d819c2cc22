/**
 * What a backend can do. New flags get a default in {@link defaultCapabilities}, so adding
 * one never breaks a backend.
 */
export interface BackendCapabilities {
  /** DDL runs inside transactions and rolls back with them. */
  readonly transactionalDdl: boolean;
  /** `INSERT … RETURNING` and friends. */
  readonly returning: boolean;
  /** `SELECT … FOR UPDATE / FOR SHARE / SKIP LOCKED` take row locks (SQLite compiles them to nothing). */
  readonly rowLocks: boolean;
  /** Isolation levels can be chosen per transaction. */
  readonly isolationLevels: boolean;
  /** Most bound parameters one statement may carry. */
  readonly maxParameters: number;
  /** Several connections can write concurrently (SQLite serialises writers). */
  readonly concurrentWriters: boolean;
  /** A read-only transaction runs on its own connection beside an open write transaction (not so for in-memory SQLite). */
  readonly readOnlyBesideWriter: boolean;
  /**
   * A commit runs the session's `afterCommit` hooks. False only for a test sandbox told to
   * skip them (`athanor/testing`): its commits are savepoints the test rolls back.
   */
  readonly afterCommitHooks: boolean;
  /** `COPY … FROM STDIN`: `session.insertMany()` sends large batches into schema tables as COPY data. */
  readonly copyFrom: boolean;
}

/** Conservative defaults every backend starts from. */
export const defaultCapabilities: BackendCapabilities = Object.freeze({
  transactionalDdl: false,
  returning: false,
  rowLocks: false,
  isolationLevels: false,
  maxParameters: 999,
  concurrentWriters: false,
  readOnlyBesideWriter: false,
  afterCommitHooks: true,
  copyFrom: false,
});
