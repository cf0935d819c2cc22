import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import { MigrationLockTimeoutError } from "../../errors.js";
import { AsyncMutex } from "../../pool/async-mutex.js";
import type { MigrationLock } from "../migration-lock.js";
import { mapSqliteError } from "./sqlite-error-mapper.js";

const POLL_MILLIS = 25;
const memoryLocks = new WeakMap<object, AsyncMutex>();
/**
 * Lock files held by this process. A held lock is its open database handle; if nothing
 * referenced the handle, garbage collection would close it and silently drop the lock while
 * its owner still believes it holds it. Held here, it lasts until release() or process exit,
 * as PostgreSQL's advisory lock lasts as long as its connection.
 */
const heldLockFiles = new Set<Database.Database>();

/**
 * Across processes: an exclusive transaction held on a small companion database file
 * (`<database>.migrate-lock`). SQLite's file locks are the operating system's, so they vanish
 * with the process that held them. Waiting polls with `busy_timeout = 0` and async sleeps:
 * the event loop is never blocked. In-memory databases exist in one process only: an async
 * mutex per engine is enough.
 */
export class SqliteMigrationLock implements MigrationLock {
  readonly #driver: typeof Database;
  readonly #path: string | undefined;
  readonly #memoryOwner: object;
  #database: Database.Database | undefined;
  #mutex: AsyncMutex | undefined;

  /** @param path the database file, or undefined for an in-memory database owned by `memoryOwner` */
  constructor(driver: typeof Database, path: string | undefined, memoryOwner: object) {
    this.#driver = driver;
    this.#path = path;
    this.#memoryOwner = memoryOwner;
  }

  async acquire(timeoutMillis: number): Promise<void> {
    if (this.#path === undefined) return this.#acquireInMemory(timeoutMillis);
    if (this.#database !== undefined) return;
    let database: Database.Database;
    try {
      // No schema and no pragmas: the file's locks are all this database is for, and any
      // statement here could itself meet the holder's lock.
      mkdirSync(dirname(this.#path), { recursive: true });
      database = new this.#driver(`${this.#path}.migrate-lock`, { timeout: 0 });
    } catch (error) {
      throw mapSqliteError(error);
    }
    const deadline = Date.now() + timeoutMillis;
    for (;;) {
      try {
        database.exec("begin exclusive");
        this.#database = database;
        heldLockFiles.add(database);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code ?? "";
        if (!code.startsWith("SQLITE_BUSY") && !code.startsWith("SQLITE_LOCKED")) {
          database.close();
          throw mapSqliteError(error);
        }
      }
      if (Date.now() >= deadline) {
        database.close();
        throw new MigrationLockTimeoutError(`another migrator held the migration lock on ${this.#path} for more than ${timeoutMillis} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
    }
  }

  async release(): Promise<void> {
    const mutex = this.#mutex;
    this.#mutex = undefined;
    mutex?.release();
    const database = this.#database;
    this.#database = undefined;
    if (database === undefined) return;
    heldLockFiles.delete(database);
    try {
      database.exec("rollback");
    } finally {
      database.close();
    }
  }

  async #acquireInMemory(timeoutMillis: number): Promise<void> {
    if (this.#mutex !== undefined) return;
    let mutex = memoryLocks.get(this.#memoryOwner);
    if (mutex === undefined) {
      mutex = new AsyncMutex();
      memoryLocks.set(this.#memoryOwner, mutex);
    }
    if (!(await mutex.acquire(timeoutMillis))) {
      throw new MigrationLockTimeoutError(`another migrator held the migration lock of this in-memory database for more than ${timeoutMillis} ms`);
    }
    this.#mutex = mutex;
  }
}
