import type { DatabaseConnection, TransactionSettings } from "kysely";
import type { Backend, BackendConnection } from "../backends/backend.js";
import type { Instrumentation } from "../engine/instrumentation.js";
import {
  AthanorError,
  CommitOutcomeUnknownError,
  ConnectionLostError,
  HookFailedError,
  SessionBusyError,
  SessionClosedError,
  TransactionAbortedError,
  TransactionStateError,
} from "../errors.js";
import { currentFrameOf, frameContext, NestedFrame, type SessionHook } from "./nested-frame.js";
import { isStatementError } from "./statement-error.js";

/** Where a session is in its life. */
export type SessionState = "idle" | "active" | "aborted" | "closed";

let nextSavepoint = 1;

/**
 * The state behind one session and its nested handles: the lazily begun transaction on
 * one pooled connection, nested savepoint frames, hooks, and the rules that keep one
 * session from interleaving statements across async paths.
 */
export class SessionCore {
  readonly #backend: Backend;
  readonly #instrumentation: Instrumentation;
  readonly #settings: TransactionSettings;
  #connection: BackendConnection | undefined;
  #starting: Promise<BackendConnection> | undefined;
  #closed = false;
  #abortedBy: Error | undefined;
  #inFlight = 0;
  #tail: Promise<void> | undefined;
  readonly #frames: NestedFrame[] = [];
  #afterCommit: SessionHook[] = [];
  #afterRollback: SessionHook[] = [];

  readonly #enclosing: SessionCore | undefined;

  /** @param enclosing the session of the async context this one was opened in, if any (`sessions.run()` inside `sessions.run()`). */
  constructor(backend: Backend, instrumentation: Instrumentation, settings: TransactionSettings, enclosing?: SessionCore) {
    this.#backend = backend;
    this.#instrumentation = instrumentation;
    this.#settings = settings;
    this.#enclosing = enclosing;
  }

  get state(): SessionState {
    if (this.#closed) return "closed";
    if (this.#abortedBy !== undefined) return "aborted";
    return this.#connection !== undefined || this.#starting !== undefined ? "active" : "idle";
  }

  /** True while a connection is held (a transaction is open). */
  get holdsConnection(): boolean {
    return this.#connection !== undefined;
  }

  /** Runs `consumer` with the session's connection, beginning the transaction on first use. */
  async provide<T>(handleFrame: NestedFrame | undefined, consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    const frame = this.#enter(handleFrame);
    // Counted from the call, not from when the connection is ready: a commit() issued right
    // after a statement that is still beginning the transaction must see it.
    this.#inFlight++;
    // One statement at a time on the connection, in call order: node-postgres deprecates
    // queueing a query on a client that is still running one.
    const previous = this.#tail;
    let finished!: () => void;
    const turn = new Promise<void>((resolve) => (finished = resolve));
    this.#tail = turn;
    try {
      if (previous !== undefined) {
        await previous;
        const abortedBy = frame?.abortedBy ?? this.#abortedBy;
        if (abortedBy !== undefined) throw new TransactionAbortedError(abortedMessage(abortedBy), { cause: abortedBy });
      }
      const connection = this.#connection ?? (await this.#start());
      return await consumer(connection);
    } catch (error) {
      if (isStatementError(error)) this.#abort(frame, error as Error);
      throw error;
    } finally {
      this.#inFlight--;
      finished();
      if (this.#tail === turn) this.#tail = undefined;
    }
  }

  /** A SAVEPOINT around `fn`: a throw inside rolls back only the block. */
  async nested<T, H>(handleFrame: NestedFrame | undefined, fn: (handle: H) => Promise<T>, makeHandle: (frame: NestedFrame) => H): Promise<T> {
    const parent = this.#enter(handleFrame);
    // The frame is pushed before the first await, so a second nested() (or a statement) from
    // another async path started in the same tick is refused instead of interleaving.
    const frame = new NestedFrame(this, parent, `athanor_sp_${nextSavepoint++}`, frameContext.getStore());
    this.#frames.push(frame);
    let connection: BackendConnection;
    try {
      connection = this.#connection ?? (await this.#start());
      await connection.savepoint(frame.savepoint);
    } catch (error) {
      const index = this.#frames.indexOf(frame);
      if (index >= 0) this.#frames.splice(index);
      frame.ended = true;
      if (isStatementError(error)) this.#abort(parent, error as Error);
      throw error;
    }
    let result: T;
    try {
      result = await frameContext.run(frame, () => fn(makeHandle(frame)));
    } catch (error) {
      await this.#endFrame(frame, connection, false);
      throw error;
    }
    if (frame.abortedBy !== undefined) {
      await this.#endFrame(frame, connection, false);
      throw new TransactionAbortedError(
        `a statement inside nested() failed (${describe(frame.abortedBy)}) and the block returned normally; its changes were rolled back to the savepoint`,
        { cause: frame.abortedBy },
      );
    }
    await this.#endFrame(frame, connection, true);
    return result;
  }

  afterCommit(handleFrame: NestedFrame | undefined, hook: SessionHook): void {
    const frame = this.#hookFrame(handleFrame);
    (frame?.afterCommit ?? this.#afterCommit).push(hook);
  }

  afterRollback(handleFrame: NestedFrame | undefined, hook: SessionHook): void {
    const frame = this.#hookFrame(handleFrame);
    (frame?.afterRollback ?? this.#afterRollback).push(hook);
  }

  #hookFrame(handleFrame: NestedFrame | undefined): NestedFrame | undefined {
    this.#assertOpen();
    const frame = this.#frameOf(handleFrame);
    // A hook put on an ended block would be silently dropped: its hooks were already handed on.
    if (frame?.ended) throw new SessionBusyError("this nested() handle belongs to a block that has ended; register hooks on the session it was made from");
    return frame;
  }

  async commit(): Promise<void> {
    this.#assertOpen();
    this.#assertSettled("commit()");
    if (this.#starting !== undefined) await this.#starting.catch(() => undefined);
    if (this.#abortedBy !== undefined) {
      throw new TransactionAbortedError(`cannot commit: ${abortedMessage(this.#abortedBy)}`, { cause: this.#abortedBy });
    }
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection !== undefined) {
      try {
        await connection.commit();
      } catch (error) {
        if (error instanceof ConnectionLostError) {
          await this.#backend.pool.destroy(connection);
          this.#dropHooks();
          throw new CommitOutcomeUnknownError(
            "the connection was lost while COMMIT was in flight: the transaction may or may not have been committed (not retried)",
            { cause: error },
          );
        }
        // The database refused the commit (e.g. serialization failure at commit time): it is rolled back.
        await this.#backend.pool.release(connection);
        await this.#runHooks(this.#takeHooks().afterRollback, "afterRollback");
        throw error;
      }
      await this.#backend.pool.release(connection);
    }
    await this.#runHooks(this.#takeHooks().afterCommit, "afterCommit");
  }

  async rollback(): Promise<void> {
    this.#assertOpen();
    this.#assertSettled("rollback()");
    await this.#rollbackConnection();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#starting !== undefined) await this.#starting.catch(() => undefined);
    await this.#rollbackConnection();
  }

  #enter(handleFrame: NestedFrame | undefined): NestedFrame | undefined {
    this.#assertOpen();
    const frame = this.#frameOf(handleFrame);
    const top = this.#frames.at(-1);
    if (frame !== top) {
      if (frame?.ended) throw new SessionBusyError("this nested() handle belongs to a block that has ended; use the session it was made from");
      throw new SessionBusyError(
        "the session is running a nested() block on another async path; a statement from outside that block would interleave with it (await the block first, or use a separate session)",
      );
    }
    const abortedBy = frame?.abortedBy ?? this.#abortedBy;
    if (abortedBy !== undefined) {
      throw new TransactionAbortedError(`${abortedMessage(abortedBy)}`, { cause: abortedBy });
    }
    return frame;
  }

  #frameOf(handleFrame: NestedFrame | undefined): NestedFrame | undefined {
    const contextual = currentFrameOf(this);
    if (contextual !== undefined && (handleFrame === undefined || contextual.isWithin(handleFrame))) return contextual;
    return handleFrame;
  }

  #start(): Promise<BackendConnection> {
    this.#starting ??= this.#begin().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #begin(): Promise<BackendConnection> {
    this.#refuseSelfDeadlock();
    const connection = await this.#backend.pool.acquire();
    try {
      await connection.begin(this.#settings);
    } catch (error) {
      await this.#backend.pool.release(connection);
      throw error;
    }
    if (this.#closed) {
      await this.#backend.pool.release(connection);
      throw new SessionClosedError();
    }
    this.#connection = connection;
    return connection;
  }

  /**
   * With a single writer (SQLite), a session opened inside another session's `run()` would
   * wait for the writer its own enclosing session holds until the callback returns: a
   * deadlock that would only end with PoolTimeoutError. Refused at once instead.
   */
  #refuseSelfDeadlock(): void {
    const { concurrentWriters, readOnlyBesideWriter } = this.#backend.capabilities;
    if (concurrentWriters || (readOnlyBesideWriter && this.#settings.accessMode === "read only")) return;
    for (let outer = this.#enclosing; outer !== undefined; outer = outer.#enclosing) {
      if (outer.holdsConnection && outer.state !== "closed") {
        throw new SessionBusyError(
          "a new session was opened inside another session's run() and needs the database's single writer connection, which the enclosing " +
            "session holds until its callback returns: it would wait for itself. Use the enclosing session (sessions.current()), " +
            "session.nested() for a savepoint, or a readOnly session for reads",
        );
      }
    }
  }

  #abort(frame: NestedFrame | undefined, error: Error): void {
    if (frame !== undefined) frame.abortedBy ??= error;
    else this.#abortedBy ??= error;
  }

  async #endFrame(frame: NestedFrame, connection: BackendConnection, release: boolean): Promise<void> {
    const index = this.#frames.indexOf(frame);
    if (index >= 0) this.#frames.splice(index);
    frame.ended = true;
    if (connection !== this.#connection) {
      // The session was closed while the block ran: the transaction is rolled back and the
      // connection may already serve another session, so no savepoint SQL may be sent on it.
      await this.#runHooks(frame.afterRollback, "afterRollback");
      if (release) throw new SessionClosedError("the session was closed while a nested() block was running; the block's work was rolled back");
      return;
    }
    try {
      if (release) {
        await connection.releaseSavepoint(frame.savepoint);
      } else {
        await connection.rollbackToSavepoint(frame.savepoint);
        await connection.releaseSavepoint(frame.savepoint);
      }
    } catch (error) {
      // The savepoint could not be ended (connection lost): the whole transaction is unusable.
      this.#abortedBy ??= error as Error;
      throw error;
    }
    const parentCommit = frame.parent?.afterCommit ?? this.#afterCommit;
    const parentRollback = frame.parent?.afterRollback ?? this.#afterRollback;
    if (release) {
      parentCommit.push(...frame.afterCommit);
      parentRollback.push(...frame.afterRollback);
    } else {
      await this.#runHooks(frame.afterRollback, "afterRollback");
    }
  }

  async #rollbackConnection(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#abortedBy = undefined;
    this.#frames.length = 0;
    if (connection !== undefined) {
      try {
        await connection.rollback();
        await this.#backend.pool.release(connection);
      } catch {
        // A lost connection rolls back on the server by itself; it must not be reused.
        await this.#backend.pool.destroy(connection);
      }
    }
    await this.#runHooks(this.#takeHooks().afterRollback, "afterRollback");
  }

  #takeHooks(): { afterCommit: SessionHook[]; afterRollback: SessionHook[] } {
    const hooks = { afterCommit: this.#afterCommit, afterRollback: this.#afterRollback };
    this.#afterCommit = [];
    this.#afterRollback = [];
    return hooks;
  }

  #dropHooks(): void {
    this.#takeHooks();
  }

  async #runHooks(hooks: SessionHook[], kind: string): Promise<void> {
    for (const hook of hooks) {
      try {
        await hook();
      } catch (error) {
        // The transaction's outcome is settled; a failing hook must not make it look otherwise.
        const failure = new HookFailedError(`${kind} hook failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
        this.#instrumentation.error(failure, undefined);
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new SessionClosedError();
  }

  #assertSettled(what: string): void {
    if (this.#frames.length > 0) {
      if (currentFrameOf(this) === undefined) {
        throw new SessionBusyError(`${what} was called while a nested() block of this session is running on another async path; await the block first`);
      }
      throw new TransactionStateError(`${what} was called inside a nested() block; return from the block first (it releases its savepoint)`);
    }
    if (this.#inFlight > 0) {
      throw new SessionBusyError(`${what} was called while ${this.#inFlight} statement(s) of this session are still running; await them first`);
    }
  }
}

function describe(error: Error): string {
  return error instanceof AthanorError ? `${error.code}: ${error.message}` : error.message;
}

function abortedMessage(error: Error): string {
  return `the transaction was aborted by an earlier failed statement (${describe(error)}); roll back, or wrap statements that may fail in session.nested() to recover from them`;
}
