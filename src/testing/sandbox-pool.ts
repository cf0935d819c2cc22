import { EngineDisposedError, PoolTimeoutError, SandboxUnsupportedError } from "../errors.js";
import { AsyncMutex } from "../pool/async-mutex.js";
import { isPromise, type MaybePromise } from "../pool/maybe-promise.js";
import type { Pool } from "../pool/pool.js";
import { formatPoolStatus, type PoolStatus } from "../pool/pool-status.js";
import type { SandboxConnection } from "./sandbox-connection.js";

/**
 * The pool of a sandbox's engine: its one connection, lent to one holder at a time (a
 * session, or one autocommit statement), the others waiting in call order up to the engine's
 * `acquireTimeoutMillis`, as SQLite's single writer does. A connection given back inside a
 * transaction is rolled back to its savepoint.
 */
export class SandboxPool implements Pool<SandboxConnection> {
  readonly #connection: SandboxConnection;
  readonly #mutex = new AsyncMutex();
  readonly #acquireTimeoutMillis: number;
  #timeouts = 0;
  #disposed = false;
  /** Set by the sandbox when the test ends: later use is an error, not a wait. */
  #ended = false;
  /** Set when the connection broke: the outer transaction is gone. */
  #broken: unknown;

  constructor(connection: SandboxConnection, acquireTimeoutMillis: number) {
    this.#connection = connection;
    this.#acquireTimeoutMillis = acquireTimeoutMillis;
  }

  acquire(): MaybePromise<SandboxConnection> {
    this.#assertUsable();
    if (this.#mutex.tryAcquire()) return this.#connection;
    return this.#mutex.acquire(this.#acquireTimeoutMillis).then((granted) => {
      if (!granted) {
        this.#timeouts++;
        const status = this.status();
        throw new PoolTimeoutError(
          `the test sandbox's connection was not free within ${this.#acquireTimeoutMillis} ms: another session of this test holds it (${formatPoolStatus(status)}); ` +
            "a sandbox lends its one connection to one session at a time, so a session that waits for another one it started itself never gets it",
          status,
        );
      }
      try {
        this.#assertUsable();
      } catch (error) {
        this.#mutex.release();
        throw error;
      }
      return this.#connection;
    });
  }

  release(connection: SandboxConnection): MaybePromise<void> {
    if (!connection.inTransaction || this.#ended) {
      this.#mutex.release();
      return;
    }
    let rolledBack: MaybePromise<void>;
    try {
      rolledBack = connection.rollback();
    } catch (error) {
      this.#broken = error;
      this.#mutex.release();
      return;
    }
    if (!isPromise(rolledBack)) {
      this.#mutex.release();
      return;
    }
    return rolledBack.then(
      () => this.#mutex.release(),
      (error: unknown) => {
        this.#broken = error;
        this.#mutex.release();
      },
    );
  }

  destroy(_connection: SandboxConnection): MaybePromise<void> {
    // A connection-level failure: the real connection, and the outer transaction with it, is gone.
    this.#broken ??= new Error("the sandbox's connection failed");
    this.#mutex.release();
  }

  status(): PoolStatus {
    const checkedOut = this.#mutex.locked ? 1 : 0;
    return { size: 1, total: 1, checkedOut, idle: 1 - checkedOut, overflow: 0, waiting: this.#mutex.waiting, created: 1, destroyed: 0, timeouts: this.#timeouts };
  }

  /** `engine.dispose()` on the sandbox's engine: the code under test is done with it; the sandbox closes the real connection at the end of the test. */
  close(): Promise<void> {
    this.#disposed = true;
    return Promise.resolve();
  }

  /** The test ended. */
  end(): void {
    this.#ended = true;
  }

  #assertUsable(): void {
    if (this.#ended) throw new SandboxUnsupportedError("the test sandbox has been closed (its test ended); code that runs after its test must get its own database");
    if (this.#disposed) throw new EngineDisposedError("the sandbox's engine was disposed by the code under test");
    if (this.#broken !== undefined) {
      throw new SandboxUnsupportedError(`the test sandbox's connection failed and its transaction is gone: ${(this.#broken as Error)?.message ?? String(this.#broken)}`, { cause: this.#broken });
    }
  }
}
