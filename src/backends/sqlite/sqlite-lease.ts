import type { CompiledQuery, QueryResult, TransactionSettings } from "kysely";
import { NotSupportedError, TransactionStateError } from "../../errors.js";
import type { BackendConnection } from "../backend.js";
import type { MaybePromise } from "../../pool/maybe-promise.js";
import { quoteIdentifier } from "../quote-identifier.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import type { SqlitePool } from "./sqlite-pool.js";

let nextLeaseId = 1;

/**
 * What the SQLite pool hands out. Outside a transaction it routes each statement: reads
 * (`SelectQueryNode`) to the autocommit reader at once, everything else to the writer
 * under the mutex, for that one statement. `begin()` pins a connection for the whole
 * transaction: the writer (`BEGIN IMMEDIATE`) or, for read-only transactions on a file, a
 * reader of its own (`BEGIN`, a stable snapshot beside the writer).
 */
export class SqliteLease implements BackendConnection {
  readonly id = nextLeaseId++;
  readonly #pool: SqlitePool;
  #pinned: SqliteConnection | undefined;
  #pinnedIsWriter = false;
  /** The pinned transaction was opened by a raw statement (`BEGIN`, `SAVEPOINT`), not by `begin()`. */
  #adopted = false;
  #queryOnly = false;
  /** Set by the pool while the lease waits in its free list (a repeated release is ignored). */
  idle = false;

  constructor(pool: SqlitePool) {
    this.#pool = pool;
  }

  get inTransaction(): boolean {
    return this.#pinned !== undefined;
  }

  /** Inside a transaction (the session's case), a statement runs at once on the pinned connection. */
  executeNow<R>(compiledQuery: CompiledQuery): QueryResult<R> {
    return this.#require().run<R>(compiledQuery);
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const pinned = this.#pinned;
    if (pinned !== undefined) {
      try {
        return pinned.run<R>(compiledQuery);
      } finally {
        if (this.#adopted && !pinned.inTransaction) this.#unpin();
      }
    }
    return this.executeIfFree<R>(compiledQuery) ?? this.#runOnWriter<R>(await this.#pool.whenWriterFree((locked) => locked), compiledQuery);
  }

  /**
   * Outside a transaction: runs the statement at once when the connection it needs is free
   * (a read on a file database: the autocommit reader, always; anything else: the writer,
   * when no one holds it or waits for it). `undefined` when it would have to wait.
   */
  executeIfFree<R>(compiledQuery: CompiledQuery): QueryResult<R> | undefined {
    if (compiledQuery.query.kind === "SelectQueryNode" && !this.#pool.shared) {
      return this.#pool.autocommitReader().run<R>(compiledQuery);
    }
    const writer = this.#pool.lockWriterNow();
    return writer === undefined ? undefined : this.#runOnWriter<R>(writer, compiledQuery);
  }

  #runOnWriter<R>(writer: SqliteConnection, compiledQuery: CompiledQuery): QueryResult<R> {
    try {
      return writer.run<R>(compiledQuery);
    } finally {
      // A raw BEGIN or SAVEPOINT opened a transaction: the writer stays with this lease until
      // it ends, and is rolled back when the lease is returned with it still open (as a
      // PostgreSQL connection is). Unlocked now, the next user would find itself inside it.
      if (writer.inTransaction) this.#adopt(writer);
      else this.#pool.unlockWriter();
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new NotSupportedError("streaming queries are not supported by Athanor's SQLite backend yet; page with limit/offset or keyset");
  }

  /** Pins the connection for a transaction; returns a promise only when it has to wait for the writer or a reader. */
  begin(settings: TransactionSettings): MaybePromise<void> {
    if (this.#pinned !== undefined) throw new TransactionStateError("a transaction is already open on this connection");
    // SQLite transactions are always serializable; the isolation level needs no statement.
    if (settings.accessMode === "read only" && !this.#pool.shared) return this.#beginOnReader();
    const writer = this.#pool.lockWriterNow();
    if (writer === undefined) return this.#pool.whenWriterFree((locked) => this.#beginOnWriter(locked, settings));
    this.#beginOnWriter(writer, settings);
  }

  async #beginOnReader(): Promise<void> {
    const reader = await this.#pool.takeReader();
    this.#pin(reader, false);
    this.#run(reader, "begin", () => this.#pool.returnReader(reader));
  }

  #beginOnWriter(writer: SqliteConnection, settings: TransactionSettings): void {
    this.#pin(writer, true);
    if (settings.accessMode !== "read only") {
      this.#run(writer, "begin immediate", () => this.#pool.unlockWriter());
      return;
    }
    // In memory the one shared connection serves read-only transactions too: writes are
    // refused for the transaction's duration, as on a file database's readers.
    this.#run(writer, "begin", () => this.#pool.unlockWriter());
    writer.database.pragma("query_only = ON");
    this.#queryOnly = true;
  }

  commit(): void {
    const connection = this.#require();
    try {
      connection.exec("commit");
    } catch (error) {
      // A failed COMMIT (e.g. a deferred foreign key) leaves the transaction open: end it.
      try {
        if (connection.inTransaction) connection.exec("rollback");
      } finally {
        this.#unpin();
      }
      throw error;
    }
    this.#unpin();
  }

  /** Rolls back; a no-op when no transaction is open (Kysely rolls back after a failed COMMIT, which already ended it). */
  rollback(): void {
    const connection = this.#pinned;
    if (connection === undefined) return;
    try {
      if (connection.inTransaction) connection.exec("rollback");
    } finally {
      this.#unpin();
    }
  }

  savepoint(name: string): void {
    this.#require().exec(`savepoint ${quoteIdentifier(name)}`);
  }

  rollbackToSavepoint(name: string): void {
    this.#require().exec(`rollback to savepoint ${quoteIdentifier(name)}`);
  }

  releaseSavepoint(name: string): void {
    this.#require().exec(`release savepoint ${quoteIdentifier(name)}`);
  }

  /** Returns the lease: a transaction still open is rolled back, never left for the next user. */
  end(): void {
    const connection = this.#pinned;
    if (connection === undefined) return;
    this.#pool.warnDirty(connection);
    try {
      if (connection.inTransaction) connection.exec("rollback");
    } finally {
      this.#unpin();
    }
  }

  #adopt(writer: SqliteConnection): void {
    this.#pin(writer, true);
    this.#adopted = true;
  }

  #pin(connection: SqliteConnection, writer: boolean): void {
    this.#pinned = connection;
    this.#pinnedIsWriter = writer;
    this.#pool.trackCheckout(this, connection);
  }

  #run(connection: SqliteConnection, sql: string, undo: () => void): void {
    try {
      connection.exec(sql);
    } catch (error) {
      this.#pinned = undefined;
      this.#pool.trackCheckin(this, connection);
      undo();
      throw error;
    }
  }

  #require(): SqliteConnection {
    if (this.#pinned === undefined) throw new TransactionStateError("no transaction is open on this connection");
    return this.#pinned;
  }

  #unpin(): void {
    const connection = this.#pinned;
    if (connection === undefined) return;
    this.#pinned = undefined;
    this.#adopted = false;
    if (this.#queryOnly) {
      this.#queryOnly = false;
      if (connection.database.open) connection.database.pragma("query_only = OFF");
    }
    this.#pool.trackCheckin(this, connection);
    if (this.#pinnedIsWriter) this.#pool.unlockWriter();
    else this.#pool.returnReader(connection);
  }
}
