/** One caller waiting for the lock. */
interface Waiter {
  readonly grant: (granted: boolean) => void;
  /** `performance.now()` after which it gives up; `Infinity` without a timeout. */
  readonly deadline: number;
}

/**
 * A fair FIFO async mutex. better-sqlite3 is synchronous, so waiting for the writer
 * connection must happen here, as an await, never inside SQLite's busy handler (which
 * would block the event loop waiting for a lock that this very process holds).
 *
 * Timeouts share one timer, armed for the earliest deadline: under contention every
 * caller waits, and a timer each (created, then cleared) would cost more than the wait.
 */
export class AsyncMutex {
  #locked = false;
  #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires. */
  #timerAt = Number.POSITIVE_INFINITY;

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
    return new Promise<boolean>((grant) => {
      const deadline = timeoutMillis > 0 ? performance.now() + timeoutMillis : Number.POSITIVE_INFINITY;
      this.#waiters.push({ grant, deadline });
      if (deadline < this.#timerAt) this.#arm(deadline);
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
    if (next === undefined) {
      this.#locked = false;
      if (this.#timer !== undefined) this.#disarm();
    } else {
      next.grant(true);
    }
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    // Not unref'd: a waiter must get its timeout error, not a silently exiting process.
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - performance.now()));
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** Gives up on every waiter past its deadline, then re-arms for the earliest one left. */
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const expired = this.#waiters.filter((waiter) => waiter.deadline <= now);
    if (expired.length > 0) this.#waiters = this.#waiters.filter((waiter) => waiter.deadline > now);
    let earliest = Number.POSITIVE_INFINITY;
    for (const waiter of this.#waiters) earliest = Math.min(earliest, waiter.deadline);
    if (earliest !== Number.POSITIVE_INFINITY) this.#arm(earliest);
    for (const waiter of expired) waiter.grant(false);
  }
}
