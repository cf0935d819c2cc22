import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import type { Kysely } from "kysely";
import { MigrationLockLostError, MigrationLockTimeoutError } from "../../errors.js";
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
 *
 * Unlike PostgreSQL's lock connection, the lock cannot die while its process lives: it goes
 * with the process, and the process's revision transaction with it. What can happen is the
 * lock file being deleted or replaced (a clean-up script): the next migrator then locks a new
 * file while the old holder still works. `confirm()` checks the path still names the file
 * that is locked.
 */
export class SqliteMigrationLock implements MigrationLock {
  readonly #driver: typeof Database;
  readonly #path: string | undefined;
  readonly #memoryOwner: object;
  #database: Database.Database | undefined;
  /** The lock file as it was when locked. */
  #file: Stats | undefined;
  #mutex: AsyncMutex | undefined;

  /** @param path the database file, or undefined for an in-memory database owned by `memoryOwner` */
  constructor(driver: typeof Database, path: string | undefined, memoryOwner: object) {
    this.#driver = driver;
    this.#path = path;
    this.#memoryOwner = memoryOwner;
  }

  async acquire(timeoutMillis: number, onWait?: (holder: string | undefined) => void): Promise<void> {
    if (this.#path === undefined) return this.#acquireInMemory(timeoutMillis, onWait);
    if (this.#database !== undefined) return;
    let database: Database.Database;
    try {
      // No schema and no pragmas: the file's locks are all this database is for, and any
      // statement here could itself meet the holder's lock.
      mkdirSync(dirname(this.#path), { recursive: true });
      database = new this.#driver(this.#lockPath, { timeout: 0 });
    } catch (error) {
      throw mapSqliteError(error);
    }
    const deadline = Date.now() + timeoutMillis;
    for (let waited = false; ; waited = true) {
      try {
        database.exec("begin exclusive");
        this.#file = statSync(this.#lockPath);
        this.#database = database;
        heldLockFiles.add(database);
        writeHolder(this.#holderPath);
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
      if (!waited) onWait?.(readHolder(this.#holderPath));
      await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
    }
  }

  async confirm(_db: Kysely<any>): Promise<void> {
    if (this.#path === undefined) {
      if (this.#mutex === undefined) throw new MigrationLockLostError("the migration lock of this in-memory database is not held");
      return;
    }
    const held = this.#file;
    if (this.#database === undefined || held === undefined) throw new MigrationLockLostError(`the migration lock on ${this.#path} is not held`);
    const now = statSync(this.#lockPath, { throwIfNoEntry: false });
    if (now === undefined || now.ino !== held.ino || now.dev !== held.dev) {
      throw new MigrationLockLostError(
        `the migration lock file ${this.#lockPath} was ${now === undefined ? "deleted" : "replaced"} while this migrator held it, so another migrator may hold a lock of its own; this revision was rolled back`,
      );
    }
  }

  get #lockPath(): string {
    return `${this.#path}.migrate-lock`;
  }

  /** Who holds the lock, for a migrator waiting for it: written by the holder, removed on release. */
  get #holderPath(): string {
    return `${this.#path}.migrate-lock.holder`;
  }

  async release(): Promise<void> {
    const mutex = this.#mutex;
    this.#mutex = undefined;
    mutex?.release();
    const database = this.#database;
    this.#database = undefined;
    this.#file = undefined;
    if (database === undefined) return;
    heldLockFiles.delete(database);
    rmSync(this.#holderPath, { force: true });
    // Closing the handle alone releases the file's lock; the rollback only ends the transaction first.
    try {
      database.exec("rollback");
    } catch {
      // nothing held to roll back
    } finally {
      database.close();
    }
  }

  async #acquireInMemory(timeoutMillis: number, onWait: ((holder: string | undefined) => void) | undefined): Promise<void> {
    if (this.#mutex !== undefined) return;
    let mutex = memoryLocks.get(this.#memoryOwner);
    if (mutex === undefined) {
      mutex = new AsyncMutex();
      memoryLocks.set(this.#memoryOwner, mutex);
    }
    if (mutex.locked) onWait?.("another migrator of this process");
    if (!(await mutex.acquire(timeoutMillis))) {
      throw new MigrationLockTimeoutError(`another migrator held the migration lock of this in-memory database for more than ${timeoutMillis} ms`);
    }
    this.#mutex = mutex;
  }
}

function writeHolder(path: string): void {
  try {
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), since: Date.now() }));
  } catch {
    // Only a courtesy to waiting migrators: the lock itself is held.
  }
}

function readHolder(path: string): string | undefined {
  try {
    const { pid, host, since } = JSON.parse(readFileSync(path, "utf8")) as { pid: number; host: string; since: number };
    return `pid ${pid} on ${host} (holding it for ${Math.round((Date.now() - since) / 1000)} s)`;
  } catch {
    return undefined;
  }
}
