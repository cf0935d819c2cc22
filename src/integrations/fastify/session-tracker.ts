import type { RequestSession } from "./request-session.js";

/**
 * The request sessions of one plugin that are open right now: what `app.close()` waits for,
 * and what the reset route drains. While `paused`, no request may open a session.
 */
export class SessionTracker {
  readonly #open = new Set<RequestSession>();
  #idle: Array<() => void> = [];
  /** While true (a reset is running), no request may open a session. */
  paused = false;

  get size(): number {
    return this.#open.size;
  }

  add(session: RequestSession): void {
    this.#open.add(session);
  }

  delete(session: RequestSession): void {
    if (!this.#open.delete(session) || this.#open.size > 0) return;
    const waiters = this.#idle;
    this.#idle = [];
    for (const wake of waiters) wake();
  }

  /** Resolves true once no request session is open, or false after `timeoutMillis`. */
  whenIdle(timeoutMillis: number): Promise<boolean> {
    if (this.#open.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((waiter) => waiter !== wake);
        resolve(false);
      }, timeoutMillis);
      this.#idle.push(wake);
    });
  }

  /** Ends every open request session, rolling back what it has not committed. */
  async rollBackAll(): Promise<void> {
    await Promise.allSettled([...this.#open].map((session) => session.end(false)));
  }
}
