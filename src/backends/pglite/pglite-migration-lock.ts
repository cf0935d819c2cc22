import type { Kysely } from "kysely";
import { MigrationLockLostError, MigrationLockTimeoutError } from "../../errors.js";
import { AsyncMutex } from "../../pool/async-mutex.js";
import type { MigrationLock } from "../migration-lock.js";
import type { PgliteHost } from "./pglite-host.js";

/**
 * A PGlite database belongs to one process, so its migrators are all in that process: an
 * async mutex per database (the instance's host) and lock name is enough. It goes with the
 * process, as the instance does.
 */
export class PgliteMigrationLock implements MigrationLock {
  readonly #host: () => Promise<PgliteHost>;
  readonly #name: string;
  #mutex: AsyncMutex | undefined;

  constructor(host: () => Promise<PgliteHost>, name: string) {
    this.#host = host;
    this.#name = name;
  }

  async acquire(timeoutMillis: number, onWait?: (holder: string | undefined) => void): Promise<void> {
    if (this.#mutex !== undefined) return;
    const host = await this.#host();
    let mutex = host.migrationLocks.get(this.#name);
    if (mutex === undefined) {
      mutex = new AsyncMutex();
      host.migrationLocks.set(this.#name, mutex);
    }
    if (mutex.locked) onWait?.("another migrator of this process");
    if (!(await mutex.acquire(timeoutMillis))) {
      throw new MigrationLockTimeoutError(`another migrator held the migration lock of this PGlite database for more than ${timeoutMillis} ms`);
    }
    this.#mutex = mutex;
  }

  async confirm(_db: Kysely<any>): Promise<void> {
    if (this.#mutex === undefined) throw new MigrationLockLostError("the migration lock of this PGlite database is not held");
  }

  async release(): Promise<void> {
    const mutex = this.#mutex;
    this.#mutex = undefined;
    mutex?.release();
  }
}
