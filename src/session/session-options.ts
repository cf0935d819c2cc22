import type { IsolationLevel } from "kysely";
import { validateOptions, type OptionSpec } from "../engine/option-spec.js";

/**
 * Retry of a whole unit of work on serialization failure or deadlock, with jittered
 * exponential backoff. Never retries other errors, nor a commit whose outcome is unknown.
 *
 * @example
 * ```ts
 * await sessions.run(transfer, { isolationLevel: "serializable", retry: { maxAttempts: 5, baseDelayMillis: 10 } });
 * ```
 */
export interface RetryOptions {
  /** Attempts in all, including the first. Default 3. */
  readonly maxAttempts?: number;
  /** Delay before the second attempt; doubled each time, with full jitter. Default 10. */
  readonly baseDelayMillis?: number;
  /** Upper bound of one delay. Default 1000. */
  readonly maxDelayMillis?: number;
}

/**
 * What `run()` does when it is called inside another `run()` of the same factory (the session
 * `current()` returns):
 * - `"required"` (default): the inner callback joins the outer session's transaction. Its
 *   statements go to the same transaction (inside the outer's running `nested()` block, if
 *   any); the outermost `run()` commits. If the inner callback throws, the error propagates
 *   and the outer transaction (or the `nested()` block it ran in) is aborted, as after a failed
 *   statement: catch it inside `nested()` to carry on. `commit()`/`rollback()` inside it throw.
 * - `"nested"`: the inner callback runs in a SAVEPOINT of the outer session (`outer.nested()`):
 *   a throw rolls back only its work, and the outer carries on if it catches the error.
 * - `"requiresNew"`: an independent session and transaction, committed on its own. With a
 *   single writer (SQLite, a test sandbox) it is refused with `SessionBusyError` when the outer
 *   session holds the writer: it would wait for itself.
 *
 * Outside any `run()` all three open a new session.
 *
 * @example
 * ```ts
 * await sessions.run(async () => {
 *   await createUser(input);                                        // "required": same transaction
 *   await sessions.run(() => audit(input), { propagation: "nested" }); // a savepoint
 * });
 * ```
 */
export type Propagation = "required" | "requiresNew" | "nested";

/**
 * Options of a session, given as factory defaults or per `open()`/`run()` call.
 *
 * @example
 * ```ts
 * const readOnly = createSessionFactory(engine, { readOnly: true });
 * await sessions.run(fn, { isolationLevel: "repeatable read" });
 * ```
 */
export interface SessionOptions {
  /** `run()` commits when the callback returns. Default true; false leaves committing to the callback (anything uncommitted is rolled back at close). */
  readonly autoCommit?: boolean;
  /** Isolation level of every transaction the session begins. PostgreSQL only; SQLite transactions are always serializable. */
  readonly isolationLevel?: IsolationLevel;
  /** Read-only transactions: PostgreSQL `READ ONLY`; SQLite runs them on a reader connection beside the writer. */
  readonly readOnly?: boolean;
  /** Retry the whole `run()` callback on serialization failure or deadlock. `true` = defaults. Only the outermost `run()` retries: a joined or nested one has no transaction of its own. */
  readonly retry?: RetryOptions | boolean;
  /** What `run()` does inside another `run()`: `"required"` (default, join its transaction), `"nested"` (a savepoint in it) or `"requiresNew"` (a transaction of its own). See {@link Propagation}. `open()` always makes an independent session. */
  readonly propagation?: Propagation;
}

/** Session options after validation and defaults. */
export interface ResolvedSessionOptions {
  readonly autoCommit: boolean;
  readonly isolationLevel: IsolationLevel | undefined;
  readonly readOnly: boolean;
  readonly retry: Required<RetryOptions> | undefined;
  readonly propagation: Propagation;
}

const SPEC: OptionSpec = {
  autoCommit: { kind: "boolean" },
  isolationLevel: { kind: "choice", values: ["read uncommitted", "read committed", "repeatable read", "serializable", "snapshot"] },
  readOnly: { kind: "boolean" },
  propagation: { kind: "choice", values: ["required", "requiresNew", "nested"] },
  retry: {
    kind: "any",
    describe: "true, false or { maxAttempts, baseDelayMillis, maxDelayMillis }",
    test: (value) => typeof value === "boolean" || (typeof value === "object" && value !== null && !Array.isArray(value)),
  },
};

const RETRY_SPEC: OptionSpec = {
  maxAttempts: { kind: "integer", min: 1, max: 1000 },
  baseDelayMillis: { kind: "integer", min: 0 },
  maxDelayMillis: { kind: "integer", min: 0 },
};

/** Validates options (unknown ones rejected by name) and merges them over `base`. */
export function resolveSessionOptions(options: SessionOptions | undefined, base?: ResolvedSessionOptions, path = "session options"): ResolvedSessionOptions {
  const given = validateOptions<SessionOptions>(options, SPEC, path);
  let retry = base?.retry;
  if (given.retry === false) retry = undefined;
  else if (given.retry !== undefined) {
    const custom = given.retry === true ? {} : validateOptions<RetryOptions>(given.retry, RETRY_SPEC, `${path}.retry`);
    retry = Object.freeze({
      maxAttempts: custom.maxAttempts ?? 3,
      baseDelayMillis: custom.baseDelayMillis ?? 10,
      maxDelayMillis: custom.maxDelayMillis ?? 1_000,
    });
  }
  return Object.freeze({
    autoCommit: given.autoCommit ?? base?.autoCommit ?? true,
    isolationLevel: given.isolationLevel ?? base?.isolationLevel,
    readOnly: given.readOnly ?? base?.readOnly ?? false,
    retry,
    propagation: given.propagation ?? base?.propagation ?? "required",
  });
}
