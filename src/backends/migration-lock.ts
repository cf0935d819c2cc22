import type { Kysely } from "kysely";

/**
 * A lock that keeps two migrators (in this process or any other) from working on the same
 * database at once. Released by `release()`, and by the operating system or the server
 * when the process holding it dies, so a killed migrator never leaves a stale lock.
 *
 * @example
 * ```ts
 * const lock = engine.backend.createMigrationLock("athanor:athanor_revisions");
 * await lock.acquire(60_000);
 * try {
 *   await engine.db.transaction().execute(async (trx) => {
 *     // … one revision …
 *     await lock.confirm(trx); // last, before COMMIT
 *   });
 * } finally {
 *   await lock.release();
 * }
 * ```
 */
export interface MigrationLock {
  /**
   * `"connection"` (the default when absent): held between transactions, on a connection of
   * its own, so each revision runs in a transaction of its own. `"transaction"`: taken inside
   * the migrator's one transaction (`acquire`'s `db`) and released when it ends, for a
   * transaction pooler (PgBouncer), where no connection outlives a transaction, and for
   * databases without advisory locks; the migrator then runs every revision of the command in
   * that transaction, each under a savepoint, and refuses revisions that run outside a
   * transaction (`MigrationNeedsDirectUrlError`).
   */
  readonly scope?: "connection" | "transaction";
  /**
   * Waits up to `timeoutMillis` for the lock; `MigrationLockTimeoutError` after that. When the
   * lock is taken by someone else, `onWait` is called once, before waiting, with who holds it
   * when the backend can tell (e.g. `pid 4242 (athanor-migrate from 10.0.0.7, connected 12 s ago)`).
   * A `"transaction"` lock is taken in `db`, the migrator's transaction.
   */
  acquire(timeoutMillis: number, onWait?: (holder: string | undefined) => void, db?: Kysely<any>): Promise<void>;
  /**
   * Creates what a `"transaction"` lock needs (a lock table and its row), before the
   * migrator's transaction and outside it, so concurrent migrators never race to create it
   * inside their transactions.
   */
  prepare?(db: Kysely<any>): Promise<void>;
  /**
   * Proves the lock is still held; `MigrationLockLostError` otherwise. Called inside each
   * revision's transaction (`db`), as its last statement before COMMIT: a migrator that lost
   * its lock then rolls the revision back instead of committing it beside the migrator that
   * took the lock over (which, on PostgreSQL, waits for a revision already past this check to
   * commit before it reads what is applied).
   */
  confirm(db: Kysely<any>): Promise<void>;
  /** Releases the lock. Idempotent; never throws (a lock whose connection died is released already). */
  release(): Promise<void>;
}
