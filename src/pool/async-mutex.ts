/**
 * A fair FIFO async mutex. better-sqlite3 is synchronous, so waiting for the writer
 * connection must happen here, as an await, never inside SQLite's busy handler (which
 * would block the event loop waiting for a lock that this very process holds).
 */
export class AsyncMutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  get locked(): boolean {
    return this.#locked;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves when the lock is held; pass `timeoutMillis` to give up with `false`. */
  acquire(timeoutMillis = 0): Promise<boolean> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const grant = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(grant);
      if (timeoutMillis > 0) {
        // Not unref'd: a waiter must get its timeout error, not a silently exiting process.
        timer = setTimeout(() => {
          const index = this.#waiters.indexOf(grant);
          if (index >= 0) this.#waiters.splice(index, 1);
          resolve(false);
        }, timeoutMillis);
      }
    });
  }

  /** Tries to take the lock without waiting. */
  tryAcquire(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#locked = false;
    else next();
  }
}
