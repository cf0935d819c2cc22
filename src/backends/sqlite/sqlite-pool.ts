import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import type { CompiledQuery, QueryResult } from "kysely";
import { AthanorError, ConnectHookError, ConnectionFailedError, DatabaseError, EngineDisposedError, PoolTimeoutError } from "../../errors.js";
import type { DatabaseUrl } from "../../engine/database-url.js";
import type { ResolvedEngineOptions } from "../../engine/engine-options.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import { AsyncMutex } from "../../pool/async-mutex.js";
import { captureSite, CheckoutTracker, NO_SITE } from "../../pool/checkout-tracker.js";
import type { Pool } from "../../pool/pool.js";
import { formatPoolStatus, type PoolStatus } from "../../pool/pool-status.js";
import { SqliteConnection } from "./sqlite-connection.js";
import { sqliteTypeMapping } from "./sqlite-type-mapping.js";
import { ValueDecoders } from "../../schema/value-decoders.js";
import { mapSqliteError } from "./sqlite-error-mapper.js";
import { registerSqliteFunctions } from "./sqlite-functions.js";
import { SqliteLease } from "./sqlite-lease.js";

/**
 * SQLite connections for one database. better-sqlite3 is synchronous, so:
 * - one writer connection, owned by one transaction at a time through an async mutex;
 *   write transactions start with `BEGIN IMMEDIATE`, so SQLite's busy handler only ever
 *   waits for *other processes*, never for a lock this process holds;
 * - autocommit reads run at once on a dedicated reader (WAL lets readers proceed beside the writer);
 * - read-only transactions get a reader of their own (up to `pool.size`);
 * - an in-memory database is one connection that everything shares (so every session
 *   sees the same data), serialised by the same mutex.
 *
 * What the pool hands out are {@link SqliteLease}s; a lease holds a connection only while
 * its transaction is open, and that is what `checkedOut` counts.
 */
export class SqlitePool implements Pool<SqliteLease> {
  readonly #driver: typeof Database;
  readonly #url: DatabaseUrl;
  readonly #options: ResolvedEngineOptions;
  readonly #instrumentation: Instrumentation;
  readonly #writerMutex = new AsyncMutex();
  readonly #tracker: CheckoutTracker<SqliteLease>;
  readonly #idleReaders: SqliteConnection[] = [];
  readonly #idleLeases: SqliteLease[] = [];
  /** Every reader opened for read-only transactions, idle or checked out. */
  readonly #readers = new Set<SqliteConnection>();
  readonly #readerWaiters: Array<(reader: SqliteConnection | undefined) => void> = [];
  #writer: SqliteConnection | undefined;
  #autocommitReader: SqliteConnection | undefined;
  #nextId = 1;
  #created = 0;
  #destroyed = 0;
  #timeouts = 0;
  #closing: Promise<void> | undefined;

  /** The engine's schema values, read back by each statement's result columns (none without a schema). */
  readonly #decoders: ValueDecoders | undefined;

  constructor(driver: typeof Database, url: DatabaseUrl, options: ResolvedEngineOptions, instrumentation: Instrumentation) {
    this.#decoders = options.schema === undefined ? undefined : new ValueDecoders(options.schema, sqliteTypeMapping);
    this.#driver = driver;
    this.#url = url;
    this.#options = options;
    this.#instrumentation = instrumentation;
    this.#tracker = new CheckoutTracker(options.pool.leakDetectionMillis, (ageMillis, stack) => {
      instrumentation.emit("leak", { ageMillis, stack });
      instrumentation.warn("leak", `a SQLite transaction has been open for ${ageMillis} ms and not ended; it began at:\n${stack}`);
    });
  }

  /** True for an in-memory database: a single shared connection. */
  get shared(): boolean {
    return this.#url.inMemory;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  acquire(): SqliteLease {
    if (this.#closing !== undefined) throw new EngineDisposedError();
    // Leases are reused: a new one per statement costs an allocation plus an entry in Kysely's
    // WeakSet of known connections for the GC to clear, about a tenth of a point select.
    const lease = this.#idleLeases.pop() ?? new SqliteLease(this);
    lease.idle = false;
    return lease;
  }

  release(lease: SqliteLease): void {
    try {
      lease.end();
    } finally {
      this.#recycle(lease);
    }
  }

  executeIfFree<R>(compiledQuery: CompiledQuery): QueryResult<R> | undefined {
    const lease = this.acquire();
    try {
      return lease.executeIfFree<R>(compiledQuery);
    } finally {
      this.release(lease);
    }
  }

  destroy(lease: SqliteLease): void {
    this.release(lease);
  }

  #recycle(lease: SqliteLease): void {
    if (lease.idle) return;
    lease.idle = true;
    this.#idleLeases.push(lease);
  }

  /** The writer connection (opened on first use). */
  writer(): SqliteConnection {
    if (this.#closing !== undefined) throw new EngineDisposedError();
    this.#writer ??= this.#open(false);
    return this.#writer;
  }

  /** The connection autocommit reads run on: the writer for in-memory databases. */
  autocommitReader(): SqliteConnection {
    if (this.shared) return this.writer();
    if (this.#closing !== undefined) throw new EngineDisposedError();
    // The writer opens first: it sets the journal mode (WAL) before any reader exists.
    if (this.#writer === undefined) this.writer();
    this.#autocommitReader ??= this.#open(true);
    return this.#autocommitReader;
  }

  /**
   * Waits for the writer, then runs `use` with it locked (unlocking is then the caller's);
   * `PoolTimeoutError` after `acquireTimeoutMillis`.
   * One promise for the wait and the step after it: under contention every write
   * transaction comes this way.
   */
  whenWriterFree<T>(use: (writer: SqliteConnection) => T): Promise<T> {
    return this.#writerMutex.acquire(this.#options.pool.acquireTimeoutMillis).then((granted) => {
      if (!granted) throw this.#timeoutError("the writer connection");
      let writer: SqliteConnection;
      try {
        writer = this.writer();
      } catch (error) {
        this.#writerMutex.release();
        throw error;
      }
      return use(writer);
    });
  }

  /** The writer, locked, when it is free right now; `undefined` when someone holds it. */
  lockWriterNow(): SqliteConnection | undefined {
    if (!this.#writerMutex.tryAcquire()) return undefined;
    try {
      return this.writer();
    } catch (error) {
      this.#writerMutex.release();
      throw error;
    }
  }

  unlockWriter(): void {
    this.#writerMutex.release();
  }

  /** A reader for a read-only transaction (file databases only). */
  async takeReader(): Promise<SqliteConnection> {
    if (this.#closing !== undefined) throw new EngineDisposedError();
    const idle = this.#idleReaders.pop();
    if (idle !== undefined) return idle;
    if (this.#readers.size < this.#options.pool.size) {
      if (this.#writer === undefined) this.writer();
      const reader = this.#open(true);
      this.#readers.add(reader);
      return reader;
    }
    const reader = await new Promise<SqliteConnection | undefined>((resolve) => {
      const timer = setTimeout(() => {
        const index = this.#readerWaiters.indexOf(resolve);
        if (index >= 0) this.#readerWaiters.splice(index, 1);
        resolve(undefined);
      }, this.#options.pool.acquireTimeoutMillis);
      this.#readerWaiters.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
    if (reader === undefined) throw this.#timeoutError("a reader connection");
    return reader;
  }

  returnReader(reader: SqliteConnection): void {
    const waiter = this.#readerWaiters.shift();
    if (waiter !== undefined) waiter(reader);
    else if (this.#closing !== undefined) this.#close(reader, "dispose");
    else this.#idleReaders.push(reader);
  }

  /** Called by a lease when its transaction takes a connection. */
  trackCheckout(lease: SqliteLease, connection: SqliteConnection): void {
    this.#tracker.checkout(lease, this.#tracker.wantsSite(false) ? captureSite() : NO_SITE);
    this.#instrumentation.emit("checkout", { connectionId: connection.id });
  }

  /** Called by a lease when its transaction gives the connection back. */
  trackCheckin(lease: SqliteLease, connection: SqliteConnection): void {
    this.#tracker.checkin(lease);
    this.#instrumentation.emit("checkin", { connectionId: connection.id });
  }

  warnDirty(connection: SqliteConnection): void {
    this.#instrumentation.warn("dirty", `connection ${connection.id} was returned inside an open transaction; rolling it back`);
  }

  status(): PoolStatus {
    const total = [this.#writer, this.#autocommitReader, ...this.#readers].filter((c) => c !== undefined && c.database.open).length;
    const checkedOut = this.#tracker.size;
    return {
      size: this.shared ? 1 : this.#options.pool.size + 2,
      total,
      checkedOut,
      idle: Math.max(0, total - checkedOut),
      overflow: 0,
      waiting: this.#writerMutex.waiting + this.#readerWaiters.length,
      created: this.#created,
      destroyed: this.#destroyed,
      timeouts: this.#timeouts,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    const deadline = Date.now() + this.#options.pool.disposeGraceMillis;
    while (this.#tracker.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    this.#tracker.stop();
    for (const waiter of this.#readerWaiters.splice(0)) waiter(undefined);
    // Readers still checked out after the grace period are closed under their holders too.
    this.#idleReaders.length = 0;
    for (const reader of this.#readers) this.#close(reader, "dispose");
    if (this.#autocommitReader !== undefined) this.#close(this.#autocommitReader, "dispose");
    if (this.#writer !== undefined) this.#close(this.#writer, "dispose");
  }

  #open(reader: boolean): SqliteConnection {
    try {
      return this.#connect(reader);
    } catch (error) {
      this.#instrumentation.error(error as AthanorError, undefined);
      throw error;
    }
  }

  #connect(reader: boolean): SqliteConnection {
    const { sqlite, statementCacheSize } = this.#options;
    let database: Database.Database;
    try {
      if (!this.#url.inMemory) mkdirSync(dirname(this.#url.database), { recursive: true });
      database = new this.#driver(this.#url.inMemory ? ":memory:" : this.#url.database, { timeout: sqlite.busyTimeoutMillis });
    } catch (error) {
      const mapped = mapSqliteError(error);
      if (!(mapped instanceof DatabaseError)) throw mapped;
      throw new ConnectionFailedError(`could not open the SQLite database ${this.#url.database}: ${mapped.message}`, { cause: error });
    }
    try {
      database.pragma(`busy_timeout = ${sqlite.busyTimeoutMillis}`);
      if (!this.#url.inMemory && !reader) database.pragma(`journal_mode = ${sqlite.journalMode}`);
      database.pragma(`synchronous = ${sqlite.synchronous}`);
      database.pragma("foreign_keys = ON");
      if (reader) database.pragma("query_only = ON");
      registerSqliteFunctions(database);
    } catch (error) {
      // Athanor's own set-up failing is a database condition (e.g. switching to WAL while
      // another process holds a lock), typed like any statement's error.
      database.close();
      throw mapSqliteError(error);
    }
    try {
      sqlite.onConnect?.(database);
    } catch (error) {
      database.close();
      if (error instanceof AthanorError) throw error;
      throw new ConnectHookError(`sqlite.onConnect failed: ${(error as Error).message}`, { cause: error });
    }
    const connection = new SqliteConnection(this.#nextId++, database, this.#instrumentation, statementCacheSize, this.#decoders);
    this.#created++;
    this.#instrumentation.emit("connect", { connectionId: connection.id });
    return connection;
  }

  #close(connection: SqliteConnection, reason: "dispose" | "error"): void {
    // A connection closed under its holder comes back later; it is reported closed once.
    if (!connection.database.open) return;
    connection.close();
    this.#destroyed++;
    this.#instrumentation.emit("disconnect", { connectionId: connection.id, reason });
  }

  #timeoutError(what: string): PoolTimeoutError {
    this.#timeouts++;
    const status = this.status();
    return new PoolTimeoutError(
      `could not get ${what} within ${this.#options.pool.acquireTimeoutMillis} ms (pool: ${formatPoolStatus(status)}). ` +
        `Longest-running transactions:\n${this.#tracker.describeOldest(3)}\n` +
        "One old transaction that never ends is a leak (a session not closed); many young ones are load.",
      status,
    );
  }
}
