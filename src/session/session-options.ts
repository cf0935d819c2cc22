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
  /** Retry the whole `run()` callback on serialization failure or deadlock. `true` = defaults. */
  readonly retry?: RetryOptions | boolean;
}

/** Session options after validation and defaults. */
export interface ResolvedSessionOptions {
  readonly autoCommit: boolean;
  readonly isolationLevel: IsolationLevel | undefined;
  readonly readOnly: boolean;
  readonly retry: Required<RetryOptions> | undefined;
}

const SPEC: OptionSpec = {
  autoCommit: { kind: "boolean" },
  isolationLevel: { kind: "choice", values: ["read uncommitted", "read committed", "repeatable read", "serializable", "snapshot"] },
  readOnly: { kind: "boolean" },
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
  });
}
