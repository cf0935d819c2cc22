import type { FastifyReply } from "fastify";
import type { Session } from "../../session/session.js";
import { SETTLED } from "../../pool/maybe-promise.js";
import type { SessionTracker } from "./session-tracker.js";

/**
 * One request's session and where its request is: whether the reply is being sent, whether
 * the handler is still running, and how the session ends. Ending is idempotent: the first
 * decision (commit or roll back) wins, and the session is always closed.
 */
export class RequestSession {
  readonly session: Session<any>;
  readonly #tracker: SessionTracker;
  #ending: Promise<void> | undefined;
  /** The plugin's onSend hook has taken charge of ending the session. */
  sending = false;
  /** An error status went out while the handler was still running: roll back once it returns. */
  doomed = false;
  /** The handler awaits the reply (`return reply` in an async handler, `await reply`): it can send no more statements before the answer. */
  replyAwaited = false;
  #handlerSettled: ((ok: boolean) => void) | undefined;

  constructor(session: Session<any>, tracker: SessionTracker) {
    this.session = session;
    this.#tracker = tracker;
    tracker.add(this);
  }

  /** True once the session is ending or has ended. */
  get ended(): boolean {
    return this.#ending !== undefined;
  }

  /**
   * Commits (when `commit`, the session is still open and the client is still there) and
   * closes, rolling back anything uncommitted. Resolves once the connection is back in the
   * pool; rejects with the commit's error, after closing.
   */
  end(commit: boolean): Promise<void> {
    this.#ending ??= this.#finish(commit);
    return this.#ending;
  }

  /**
   * For an onSend hook that runs while the handler still runs: resolves true once the handler
   * returned or awaits the reply, false if it threw.
   */
  whenHandlerIsDone(): Promise<boolean> {
    return new Promise((resolve) => {
      this.#handlerSettled = resolve;
    });
  }

  handlerSettled(ok: boolean): void {
    const settled = this.#handlerSettled;
    this.#handlerSettled = undefined;
    settled?.(ok);
  }

  /**
   * Notices when the handler starts awaiting `reply` (Reply's `then`, which an async handler's
   * `return reply` calls too). From then on it cannot send a statement before the answer is
   * out, so a commit held for it must go ahead: waiting longer would wait for itself.
   */
  watch(reply: FastifyReply): void {
    const then = reply.then;
    const state = this;
    reply.then = function awaitedReply(this: FastifyReply, fulfilled, rejected) {
      state.replyAwaited = true;
      state.handlerSettled(true);
      return then.call(this, fulfilled, rejected);
    };
  }

  #finish(commit: boolean): Promise<void> {
    const session = this.session;
    let committing: Promise<void>;
    try {
      committing = commit && session.state !== "closed" ? session.commit() : SETTLED;
    } catch (error) {
      committing = Promise.reject(error);
    }
    // SQLite's uncontended commit and close finish without a promise of their own: so does this.
    if (committing === SETTLED) return this.#close();
    return committing.then(
      () => this.#close(),
      (error: unknown) => this.#close().then(() => Promise.reject(error)),
    );
  }

  #close(): Promise<void> {
    let closing: Promise<void>;
    try {
      closing = this.session.close();
    } catch {
      closing = SETTLED;
    }
    if (closing === SETTLED) {
      this.#tracker.delete(this);
      return SETTLED;
    }
    return closing.then(
      () => this.#tracker.delete(this),
      () => this.#tracker.delete(this),
    );
  }
}
