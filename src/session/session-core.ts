import { AsyncLocalStorage } from "node:async_hooks";
import type { CompiledQuery, DatabaseConnection, QueryResult, TransactionSettings } from "kysely";
import type { Backend, BackendConnection } from "../backends/backend.js";
import { isPromise, settled, SETTLED, type MaybePromise } from "../pool/maybe-promise.js";
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
import type { CompleteError } from "../schema/complete-constraint-error.js";

/** Where a session is in its life. */
export type SessionState = "idle" | "active" | "aborted" | "closed";

/** A `run()` callback that joined a session's transaction, running in this async context (innermost first). */
interface JoinScope {
  readonly core: SessionCore;
  readonly outer: JoinScope | undefined;
}
const joinContext = new AsyncLocalStorage<JoinScope>();
/** Errors thrown by joined callbacks, so the abort they cause is explained as such. */
const joinedFailures = new WeakSet<object>();


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
  /** The result of a first statement that went in the same round trip as the BEGIN, until its caller takes it. */
  #firstResult: QueryResult<unknown> | undefined;
  #closed = false;
  #abortedBy: Error | undefined;
  /** Statements issued and not yet finished, waiting ones included. */
  #inFlight = 0;
  /** True while one statement has the connection; the others wait in `#waiting`, in call order. */
  #busy = false;
  readonly #waiting: Array<() => void> = [];
  readonly #frames: NestedFrame[] = [];
  #afterCommit: SessionHook[] = [];
  #afterRollback: SessionHook[] = [];

  readonly #enclosing: SessionCore | undefined;
  /** `run()` callbacks joined to this session that are still running. */
  #joins = 0;
  /** The `Session` this core backs (set by the factory right after both are made). */
  session: unknown;

  readonly #completeError: CompleteError | undefined;

  /**
   * @param enclosing the session of the async context this one was opened in, if any (`sessions.run()` inside `sessions.run()`)
   * @param completeError fills in what a constraint error's database left out (the engine's schema)
   */
  constructor(backend: Backend, instrumentation: Instrumentation, settings: TransactionSettings, enclosing?: SessionCore, completeError?: CompleteError) {
    this.#backend = backend;
    this.#instrumentation = instrumentation;
    this.#settings = settings;
    this.#enclosing = enclosing;
    this.#completeError = completeError;
  }

  get state(): SessionState {
    if (this.#closed) return "closed";
    if (this.#abortedBy !== undefined) return "aborted";
    return this.#connection !== undefined || this.#starting !== undefined ? "active" : "idle";
  }

  /** What every transaction of this session begins with (isolation level, access mode). */
  get settings(): TransactionSettings {
    return this.#settings;
  }

  /** True while a connection is held (a transaction is open). */
  get holdsConnection(): boolean {
    return this.#connection !== undefined;
  }

  /** Runs one compiled statement in the session's transaction, beginning it on first use. */
  execute<R>(handleFrame: NestedFrame | undefined, compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.provide(handleFrame, (connection) => connection.executeQuery<R>(compiledQuery), compiledQuery);
  }

  /**
   * Runs `consumer` with the session's connection, beginning the transaction on first use.
   * `statement` is what the consumer runs, when it is one compiled statement: the backend may
   * then send it in the same round trip as the BEGIN, and the consumer is not called.
   */
  provide<T>(handleFrame: NestedFrame | undefined, consumer: (connection: DatabaseConnection) => Promise<T>, statement?: CompiledQuery): Promise<T> {
    let frame: NestedFrame | undefined;
    try {
      frame = this.#enter(handleFrame);
    } catch (error) {
      return Promise.reject(error);
    }
    // Counted from the call, not from when the connection is ready: a commit() issued right
    // after a statement that is still beginning the transaction must see it.
    this.#inFlight++;
    return this.#statement(frame, consumer, statement);
  }

  /**
   * One statement at a time on the connection, in call order (node-postgres deprecates
   * queueing a query on a client that is still running one). The common case, no statement
   * running, takes the turn without a promise.
   */
  async #statement<T>(frame: NestedFrame | undefined, consumer: (connection: DatabaseConnection) => Promise<T>, statement: CompiledQuery | undefined): Promise<T> {
    let synchronous = true;
    let connection: BackendConnection | undefined;
    try {
      if (this.#busy) {
        synchronous = false;
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
        const abortedBy = frame?.abortedBy ?? this.#abortedBy;
        if (abortedBy !== undefined) throw new TransactionAbortedError(abortedMessage(abortedBy), { cause: abortedBy });
      } else {
        this.#busy = true;
      }
      connection = this.#connection;
      if (connection === undefined) {
        const started = this.#start(statement);
        if (isPromise(started)) synchronous = false;
        connection = isPromise(started) ? await started : started;
        const first = this.#firstResult;
        if (first !== undefined) {
          // The statement went with the BEGIN.
          this.#firstResult = undefined;
          return first as T;
        }
      }
      if (statement !== undefined && connection.executeNow !== undefined) return connection.executeNow(statement) as T;
      synchronous = false;
      return await consumer(connection);
    } catch (error) {
      if (isStatementError(error)) {
        // Still this statement's turn on the connection: a probe there cannot interleave with another statement.
        const held = connection;
        const completing = this.#completeError?.(error, statement, held === undefined ? undefined : (probe) => held.executeQuery(probe));
        if (completing !== undefined) {
          synchronous = false;
          await completing;
        }
        this.#abort(frame, error as Error);
      }
      throw error;
    } finally {
      // A statement that ran at once (SQLite) still counts as running until its caller can
      // see the result, so commit() issued in the same tick is refused as on PostgreSQL.
      if (synchronous) void SETTLED.then(this.#settled);
      else this.#inFlight--;
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#busy = false;
    }
  }

  readonly #settled = (): void => {
    this.#inFlight--;
  };

  /** A SAVEPOINT around `fn`: a throw inside rolls back only the block. */
  async nested<T, H>(handleFrame: NestedFrame | undefined, fn: (handle: H) => Promise<T>, makeHandle: (frame: NestedFrame) => H): Promise<T> {
    const parent = this.#enter(handleFrame);
    // The frame is pushed before the first await, so a second nested() (or a statement) from
    // another async path started in the same tick is refused instead of interleaving.
    // Named by depth, not by a counter: SQLite prepares and caches each distinct SQL text, and
    // one session's blocks are a stack, so a name is never open twice on its connection.
    const frame = new NestedFrame(this, parent, `athanor_sp_${parent === undefined ? 1 : parent.depth + 1}`, frameContext.getStore());
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

  /**
   * Runs the callback of a `run()` that joined this session's transaction (propagation
   * `"required"`): its statements go to the session (and to the `nested()` block it was called
   * in); inside it `commit()`, `rollback()` and `close()` are refused, because the outermost
   * `run()` ends the transaction; when it throws, that block (or the transaction) is aborted,
   * as after a failed statement, so a half-done inner unit can never be committed.
   */
  async join<T>(fn: () => Promise<T>): Promise<T> {
    const frame = this.#enter(undefined);
    this.#joins++;
    try {
      return await joinContext.run({ core: this, outer: joinContext.getStore() }, fn);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      joinedFailures.add(failure);
      if (frame === undefined || !frame.ended) this.#abort(frame, failure);
      throw error;
    } finally {
      this.#joins--;
    }
  }

  #hookFrame(handleFrame: NestedFrame | undefined): NestedFrame | undefined {
    this.#assertOpen();
    const frame = this.#frameOf(handleFrame);
    // A hook put on an ended block would be silently dropped: its hooks were already handed on.
    if (frame?.ended) throw new SessionBusyError("this nested() handle belongs to a block that has ended; register hooks on the session it was made from");
    return frame;
  }

  commit(): Promise<void> {
    if (
      this.#closed ||
      this.#frames.length > 0 ||
      this.#inFlight > 0 ||
      this.#starting !== undefined ||
      this.#abortedBy !== undefined ||
      this.#joins > 0 ||
      this.#afterCommit.length > 0 ||
      this.#afterRollback.length > 0
    ) {
      return this.#commitChecked();
    }
    // The common case: nothing to refuse, wait for or run afterwards. On SQLite it ends
    // without a promise of its own.
    const connection = this.#connection;
    if (connection === undefined) return SETTLED;
    return settled(this.#commitConnection(connection));
  }

  async #commitChecked(): Promise<void> {
    this.#assertOpen();
    this.#assertNotJoined("commit()");
    this.#assertSettled("commit()");
    if (this.#starting !== undefined) await this.#starting.catch(() => undefined);
    if (this.#abortedBy !== undefined) {
      throw new TransactionAbortedError(`cannot commit: ${abortedMessage(this.#abortedBy)}`, { cause: this.#abortedBy });
    }
    const connection = this.#connection;
    if (connection !== undefined) await this.#commitConnection(connection);
    const { afterCommit } = this.#takeHooks();
    if (afterCommit.length > 0 && this.#backend.capabilities.afterCommitHooks) await this.#runHooks(afterCommit, "afterCommit");
  }

  /** COMMIT, then the connection goes back to the pool. */
  #commitConnection(connection: BackendConnection): MaybePromise<void> {
    this.#connection = undefined;
    let committing: MaybePromise<void>;
    try {
      committing = connection.commit();
    } catch (error) {
      return this.#commitFailed(connection, error);
    }
    if (isPromise(committing)) {
      return committing.then(
        () => this.#backend.pool.release(connection),
        (error: unknown) => this.#commitFailed(connection, error),
      );
    }
    return this.#backend.pool.release(connection);
  }

  async #commitFailed(connection: BackendConnection, error: unknown): Promise<never> {
    if (error instanceof ConnectionLostError) {
      await this.#backend.pool.destroy(connection);
      this.#dropHooks();
      throw new CommitOutcomeUnknownError(
        "the connection was lost while COMMIT was in flight: the transaction may or may not have been committed (not retried)",
        { cause: error },
      );
    }
    // The database refused the commit (e.g. serialization failure at commit time): it is rolled back.
    await this.#completeError?.(error);
    await this.#backend.pool.release(connection);
    await this.#runHooks(this.#takeHooks().afterRollback, "afterRollback");
    throw error;
  }

  async rollback(): Promise<void> {
    this.#assertOpen();
    this.#assertNotJoined("rollback()");
    this.#assertSettled("rollback()");
    await this.#rollbackConnection();
  }

  close(): Promise<void> {
    if (this.#closed) return SETTLED;
    if (this.#joins > 0) {
      try {
        this.#assertNotJoined("close()");
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.#closed = true;
    // Nothing begun and nothing registered (the common case after commit): nothing to wait for.
    if (this.#starting === undefined && this.#connection === undefined && this.#afterRollback.length === 0) {
      this.#abortedBy = undefined;
      this.#frames.length = 0;
      this.#afterCommit = [];
      return SETTLED;
    }
    return this.#closeNow();
  }

  async #closeNow(): Promise<void> {
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

  /**
   * Checks a connection out and begins the transaction: synchronously when neither step has
   * to wait (SQLite's common case), else through the promise kept in `#starting`, which
   * `commit()` and `close()` wait for.
   */
  #start(first?: CompiledQuery): MaybePromise<BackendConnection> {
    if (this.#starting !== undefined) return this.#starting;
    this.#refuseSelfDeadlock();
    const acquired = this.#backend.pool.acquire();
    const started = isPromise(acquired)
      ? acquired.then(
          (connection) => this.#beginOn(connection, first),
          (error: unknown) => {
            this.#starting = undefined;
            throw error;
          },
        )
      : this.#beginOn(acquired, first);
    // Still pending here whenever it is a promise: #adopt and #abandon clear it when it settles.
    if (isPromise(started)) this.#starting = started;
    return started;
  }

  #beginOn(connection: BackendConnection, first: CompiledQuery | undefined): MaybePromise<BackendConnection> {
    if (first !== undefined && connection.beginWith !== undefined) {
      let began = false;
      const pipelined = connection.beginWith(this.#settings, first, () => {
        began = true;
      });
      if (pipelined !== undefined) {
        return pipelined.then(
          (result) => {
            const adopted = this.#adopt(connection);
            if (!isPromise(adopted)) this.#firstResult = result;
            return adopted;
          },
          // Not confirmed is not "not run": a failure on the client's side (a parameter pg
          // cannot serialise) arrives before the server has answered the BEGIN it already
          // sent. The ROLLBACK waits its turn behind that answer (a mere warning when no
          // transaction began), so the connection never goes back inside a transaction.
          (error: unknown) => (began ? this.#adoptAborted(connection, error) : this.#abandon(connection, error, true)),
        );
      }
    }
    let beginning: MaybePromise<void>;
    try {
      beginning = connection.begin(this.#settings);
    } catch (error) {
      return this.#abandon(connection, error, false);
    }
    if (!isPromise(beginning)) return this.#adopt(connection);
    return beginning.then(
      () => this.#adopt(connection),
      (error: unknown) => this.#abandon(connection, error, false),
    );
  }

  #adopt(connection: BackendConnection): MaybePromise<BackendConnection> {
    this.#starting = undefined;
    if (this.#closed) return this.#abandon(connection, new SessionClosedError(), true);
    this.#connection = connection;
    return connection;
  }

  /** BEGIN succeeded and the statement sent with it failed: the transaction is the session's (aborted), and the error is the statement's. */
  #adoptAborted(connection: BackendConnection, error: unknown): Promise<never> {
    this.#starting = undefined;
    if (this.#closed) return this.#abandon(connection, error, true);
    this.#connection = connection;
    return Promise.reject(error);
  }

  /**
   * Gives back a connection the session will not keep. With `began`, a transaction is open on
   * it, though its client may not know yet (the server's ReadyForQuery can still be on the
   * way): it is rolled back first, and destroyed if that fails.
   */
  async #abandon(connection: BackendConnection, error: unknown, began: boolean): Promise<never> {
    try {
      await this.#giveBack(connection, began);
    } finally {
      // After the awaits: when #start() made this promise its `#starting`, that assignment came first.
      this.#starting = undefined;
    }
    throw error;
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
    if (connection !== undefined) await this.#giveBack(connection, true);
    await this.#runHooks(this.#takeHooks().afterRollback, "afterRollback");
  }

  /** Returns a connection to the pool, rolled back first when `rollback`; destroyed if either fails. */
  async #giveBack(connection: BackendConnection, rollback: boolean): Promise<void> {
    try {
      if (rollback) await connection.rollback();
      await this.#backend.pool.release(connection);
    } catch {
      // A lost connection rolls back on the server by itself; it must not be reused.
      await this.#backend.pool.destroy(connection);
    }
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

  #assertNotJoined(what: string): void {
    if (this.#joins === 0) return;
    for (let scope = joinContext.getStore(); scope !== undefined; scope = scope.outer) {
      if (scope.core !== this) continue;
      throw new TransactionStateError(
        `${what} was called inside a run() that joined the enclosing session's transaction (propagation "required"): the outermost run() ends it. ` +
          'Return to commit, throw to roll back, or give the inner run() propagation "requiresNew" (a transaction of its own) or "nested" (a savepoint)',
      );
    }
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
  if (joinedFailures.has(error)) {
    return `the transaction was aborted because a run() that joined it threw (${describe(error)}); roll back, or give that run() propagation "nested" (or call it inside session.nested()) to recover from its failure`;
  }
  return `the transaction was aborted by an earlier failed statement (${describe(error)}); roll back, or wrap statements that may fail in session.nested() to recover from them`;
}
