import type pg from "pg";
import { MigrationLockTimeoutError } from "../../errors.js";
import type { MigrationLock } from "../migration-lock.js";
import { mapPostgresConnectError, mapPostgresError } from "./postgres-error-mapper.js";

const POLL_MILLIS = 50;

/**
 * A session-level advisory lock held on a dedicated connection (outside the pool), so the
 * migrator's own transactions can come and go while it is held. PostgreSQL releases it by
 * itself when that connection ends, including when the process is killed.
 */
export class PostgresMigrationLock implements MigrationLock {
  readonly #driver: typeof pg;
  readonly #config: pg.ClientConfig;
  readonly #key: string;
  #client: pg.Client | undefined;

  constructor(driver: typeof pg, config: pg.ClientConfig, name: string) {
    this.#driver = driver;
    this.#config = config;
    this.#key = name;
  }

  async acquire(timeoutMillis: number): Promise<void> {
    if (this.#client !== undefined) return;
    const client = new this.#driver.Client({ ...this.#config, application_name: "athanor-migrate" });
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (error) {
      throw mapPostgresConnectError(error);
    }
    const deadline = Date.now() + timeoutMillis;
    try {
      for (;;) {
        // hashtext() turns the lock name into the advisory lock's integer key on the server.
        const result = await client.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtext($1)) as locked", [this.#key]);
        if (result.rows[0]?.locked === true) break;
        if (Date.now() >= deadline) {
          throw new MigrationLockTimeoutError(`another migrator held the migration lock "${this.#key}" for more than ${timeoutMillis} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error instanceof MigrationLockTimeoutError ? error : mapPostgresError(error);
    }
    this.#client = client;
  }

  async release(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    try {
      await client.query("select pg_advisory_unlock(hashtext($1))", [this.#key]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
