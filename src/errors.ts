import type { PoolStatus } from "./pool/pool-status.js";

/**
 * The error catalogue. Every error Athanor throws is an {@link AthanorError}
 * with a stable `code`; driver errors are wrapped into the matching subclass
 * with the original kept as `cause`. Every code is listed in `docs/errors.md`
 * (a test fails when the two drift).
 *
 * @example
 * ```ts
 * import { UniqueViolationError } from "athanor/errors";
 * try {
 *   await db.insertInto("users").values({ email }).execute();
 * } catch (error) {
 *   if (error instanceof UniqueViolationError) return reply.code(409).send({ field: error.column });
 *   throw error;
 * }
 * ```
 */
export class AthanorError extends Error {
  /** Stable machine-readable code, e.g. `UNIQUE_VIOLATION`. */
  readonly code: string;
  /** True when re-running the whole unit of work may succeed (serialization failure, deadlock). */
  readonly retryable: boolean = false;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Details a database reports about a violated constraint (each may be absent). */
export interface ConstraintDetails {
  readonly constraint?: string | undefined;
  readonly table?: string | undefined;
  readonly column?: string | undefined;
  readonly detail?: string | undefined;
}

/** Base of the integrity-constraint errors; carries what the database said about the constraint. */
export abstract class ConstraintViolationError extends AthanorError implements ConstraintDetails {
  readonly constraint?: string | undefined;
  readonly table?: string | undefined;
  readonly column?: string | undefined;
  readonly detail?: string | undefined;

  constructor(code: string, message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super(code, message, options);
    this.constraint = details.constraint;
    this.table = details.table;
    this.column = details.column;
    this.detail = details.detail;
  }
}

/** A UNIQUE or PRIMARY KEY constraint was violated. */
export class UniqueViolationError extends ConstraintViolationError {
  constructor(message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super("UNIQUE_VIOLATION", message, details, options);
  }
}

/** A FOREIGN KEY constraint was violated (missing parent, or a parent still referenced). */
export class ForeignKeyViolationError extends ConstraintViolationError {
  constructor(message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super("FOREIGN_KEY_VIOLATION", message, details, options);
  }
}

/** A NOT NULL constraint was violated. */
export class NotNullViolationError extends ConstraintViolationError {
  constructor(message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super("NOT_NULL_VIOLATION", message, details, options);
  }
}

/** A CHECK constraint was violated. */
export class CheckViolationError extends ConstraintViolationError {
  constructor(message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super("CHECK_VIOLATION", message, details, options);
  }
}

/** The database could not serialize this transaction against concurrent ones; retry the unit of work. */
export class SerializationFailureError extends AthanorError {
  override readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super("SERIALIZATION_FAILURE", message, options);
  }
}

/** The database chose this transaction as a deadlock victim; retry the unit of work. */
export class DeadlockError extends AthanorError {
  override readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super("DEADLOCK", message, options);
  }
}

/** A lock could not be obtained in time (PostgreSQL `lock_timeout`/`NOWAIT`, SQLite `SQLITE_BUSY`). */
export class LockTimeoutError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LOCK_TIMEOUT", message, options);
  }
}

/** A statement ran longer than `statement_timeout` or was cancelled. */
export class QueryCanceledError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("QUERY_CANCELED", message, options);
  }
}

/** The connection to the database was lost (server restart, terminated backend, network failure). */
export class ConnectionLostError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONNECTION_LOST", message, options);
  }
}

/** A new connection to the database could not be opened (refused, authentication, unknown database). */
export class ConnectionFailedError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONNECTION_FAILED", message, options);
  }
}

/**
 * No connection could be checked out within `acquireTimeoutMillis`. The message states
 * the pool status and the age and acquisition site of the oldest checkouts, so a leak
 * (one old checkout that never returns) can be told from load (many young ones).
 */
export class PoolTimeoutError extends AthanorError {
  /** Pool status at the moment of the timeout. */
  readonly status: PoolStatus;
  constructor(message: string, status: PoolStatus, options?: { cause?: unknown }) {
    super("POOL_TIMEOUT", message, options);
    this.status = status;
  }
}

/** Invalid configuration: a malformed URL, an unknown scheme, an unknown or invalid option. */
export class ConfigurationError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIGURATION_ERROR", message, options);
  }
}

/** The engine was disposed; it cannot be used any more. */
export class EngineDisposedError extends AthanorError {
  constructor(message = "the engine has been disposed; create a new engine to run more queries") {
    super("ENGINE_DISPOSED", message);
  }
}

/** A database driver (`pg`, `better-sqlite3`) is not installed. */
export class DriverMissingError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DRIVER_MISSING", message, options);
  }
}

/** Any other error reported by the database, wrapped with the original as `cause`. */
export class DatabaseError extends AthanorError {
  /** The database's own error code (SQLSTATE on PostgreSQL, e.g. `42P01`; `SQLITE_ERROR` on SQLite). */
  readonly databaseCode: string | undefined;
  constructor(message: string, databaseCode: string | undefined, options?: { cause?: unknown }) {
    super("DATABASE_ERROR", message, options);
    this.databaseCode = databaseCode;
  }
}

/** The operation is not supported by this backend. */
export class NotSupportedError extends AthanorError {
  constructor(message: string) {
    super("NOT_SUPPORTED", message);
  }
}

/** A transaction-control call that does not fit the connection's state (begin twice, commit with none open). */
export class TransactionStateError extends AthanorError {
  constructor(message: string) {
    super("TRANSACTION_STATE", message);
  }
}

/** The user's `onConnect` hook (or Athanor's own connection set-up) failed; the connection was closed. */
export class ConnectHookError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONNECT_HOOK_FAILED", message, options);
  }
}

/** The session was closed; open a new one. */
export class SessionClosedError extends AthanorError {
  constructor(message = "the session is closed; open a new session (sessions.open() or sessions.run())") {
    super("SESSION_CLOSED", message);
  }
}

/**
 * One session was used from two async paths in a way that would interleave statements:
 * a statement from outside a running `nested()` block, two `nested()` blocks at once, or
 * `commit()`/`rollback()` while statements are still running.
 */
export class SessionBusyError extends AthanorError {
  constructor(message: string) {
    super("SESSION_BUSY", message);
  }
}

/**
 * An earlier statement in this transaction failed, so the transaction is aborted (on every
 * dialect, so code behaves the same on SQLite and PostgreSQL). Roll back, or wrap the
 * statement that may fail in `session.nested()` to recover from it.
 */
export class TransactionAbortedError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TRANSACTION_ABORTED", message, options);
  }
}

/** `sessions.current()` was called outside `sessions.run()`. */
export class NoCurrentSessionError extends AthanorError {
  constructor(message = "no session is bound to this async context: call current() inside sessions.run(), or pass the session explicitly") {
    super("NO_CURRENT_SESSION", message);
  }
}

/**
 * The connection was lost while COMMIT was in flight: the transaction may or may not have
 * been committed. Never retried automatically; check the data (or make the work idempotent).
 */
export class CommitOutcomeUnknownError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("COMMIT_OUTCOME_UNKNOWN", message, options);
  }
}

/** An `afterCommit`/`afterRollback` hook threw. Reported as an engine `error` event, never thrown: the transaction's outcome is already settled. */
export class HookFailedError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("HOOK_FAILED", message, options);
  }
}

/** A write was attempted in a read-only transaction (`readOnly: true`). */
export class ReadOnlyViolationError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("READ_ONLY_VIOLATION", message, options);
  }
}
