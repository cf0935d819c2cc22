import { sql, type Kysely } from "kysely";
import { ConfigurationError, MigrationLockTimeoutError } from "../../errors.js";
import type { MigrationLock } from "../migration-lock.js";

const POLL_MILLIS = 50;

/**
 * The migration lock behind a transaction pooler (PgBouncer, `pooler: "transaction"`): a
 * transaction-level advisory lock (`pg_try_advisory_xact_lock`), polled inside the migrator's
 * one transaction. It lives exactly as long as that transaction, which the pooler keeps on one
 * server connection, so it can neither outlive a migrator that died nor be lost while the
 * migrator works: `confirm` and `release` have nothing to do.
 *
 * @example
 * ```ts
 * await engine.db.transaction().execute(async (trx) => {
 *   await new PostgresTransactionMigrationLock("athanor:athanor_revisions").acquire(60_000, undefined, trx);
 *   // … every revision, each under a savepoint …
 * }); // COMMIT releases the lock
 * ```
 */
export class PostgresTransactionMigrationLock implements MigrationLock {
  readonly scope = "transaction";
  readonly #key: string;

  constructor(name: string) {
    this.#key = name;
  }

  async acquire(timeoutMillis: number, onWait?: (holder: string | undefined) => void, db?: Kysely<any>): Promise<void> {
    if (db === undefined) throw new ConfigurationError(`the migration lock "${this.#key}" is a transaction-level lock: acquire it inside the migrator's transaction`);
    const deadline = Date.now() + timeoutMillis;
    for (let waited = false; ; waited = true) {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${this.#key})) as locked`.execute(db);
      if (rows[0]?.locked === true) return;
      // The holder's pid is useless behind a pooler (it names a pooled server connection).
      if (!waited) onWait?.(undefined);
      if (Date.now() >= deadline) {
        throw new MigrationLockTimeoutError(`another migrator held the migration lock "${this.#key}" for more than ${timeoutMillis} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
    }
  }

  async confirm(): Promise<void> {}

  async release(): Promise<void> {}
}
