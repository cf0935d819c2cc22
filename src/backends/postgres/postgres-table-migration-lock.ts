import { sql, type Kysely } from "kysely";
import { ConfigurationError, LockTimeoutError, MigrationLockTimeoutError } from "../../errors.js";
import type { MigrationLock } from "../migration-lock.js";

const POLL_MILLIS = 50;
/** The table of lock rows, one per lock name. */
export const MIGRATION_LOCK_TABLE = "athanor_migration_lock";

/**
 * A migration lock that needs no advisory locks, for PostgreSQL-wire databases that lack
 * them (CockroachDB, YugabyteDB): a row lock (`SELECT … FOR UPDATE NOWAIT`, polled under a
 * savepoint) on this lock's row of `athanor_migration_lock`, taken inside the migrator's one
 * transaction and released by its COMMIT or ROLLBACK, or by the server when the migrator's
 * connection dies. Chosen with the engine option `postgres.migrationLock: "table"`.
 *
 * @example
 * ```ts
 * const engine = createEngine(url, { postgres: { migrationLock: "table" } });
 * await createMigrator(engine, { scripts }).upgrade(); // SELECT … FOR UPDATE on athanor_migration_lock
 * ```
 */
export class PostgresTableMigrationLock implements MigrationLock {
  readonly scope = "transaction";
  readonly #key: string;

  constructor(name: string) {
    this.#key = name;
  }

  async prepare(db: Kysely<any>): Promise<void> {
    const create = sql`create table if not exists ${sql.table(MIGRATION_LOCK_TABLE)} (name varchar(255) primary key)`;
    // Two migrators creating the table at once: PostgreSQL lets one of them fail (23505 on its
    // catalog, or 42P07); the table is there then, and a second try passes.
    await create.execute(db).catch(() => create.execute(db));
    await sql`insert into ${sql.table(MIGRATION_LOCK_TABLE)} (name) values (${this.#key}) on conflict (name) do nothing`.execute(db);
  }

  async acquire(timeoutMillis: number, onWait?: (holder: string | undefined) => void, db?: Kysely<any>): Promise<void> {
    if (db === undefined) throw new ConfigurationError(`the migration lock "${this.#key}" is a row lock: acquire it inside the migrator's transaction`);
    const deadline = Date.now() + timeoutMillis;
    for (let waited = false; ; waited = true) {
      // NOWAIT fails the statement, which would abort the whole transaction: hence the savepoint.
      await sql`savepoint athanor_lock`.execute(db);
      try {
        const { rows } = await sql`select name from ${sql.table(MIGRATION_LOCK_TABLE)} where name = ${this.#key} for update nowait`.execute(db);
        await sql`release savepoint athanor_lock`.execute(db);
        if (rows.length === 1) return;
        throw new ConfigurationError(`the migration lock row "${this.#key}" is missing from ${MIGRATION_LOCK_TABLE}: prepare() creates it`);
      } catch (error) {
        if (!(error instanceof LockTimeoutError)) throw error;
        await sql`rollback to savepoint athanor_lock`.execute(db);
      }
      if (!waited) onWait?.(undefined);
      if (Date.now() >= deadline) {
        throw new MigrationLockTimeoutError(`another migrator held the migration lock "${this.#key}" (a row of ${MIGRATION_LOCK_TABLE}) for more than ${timeoutMillis} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
    }
  }

  async confirm(): Promise<void> {}

  async release(): Promise<void> {}
}
