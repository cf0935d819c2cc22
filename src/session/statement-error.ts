import {
  ConnectionLostError,
  ConstraintViolationError,
  DatabaseError,
  DeadlockError,
  LockTimeoutError,
  QueryCanceledError,
  ReadOnlyViolationError,
  SerializationFailureError,
} from "../errors.js";

/**
 * True for errors raised by the database while running a statement. After one of these,
 * PostgreSQL aborts the transaction; Athanor treats the transaction as aborted on every
 * dialect, so code that recovers on SQLite also recovers on PostgreSQL (through `nested()`).
 */
export function isStatementError(error: unknown): boolean {
  return (
    error instanceof ConstraintViolationError ||
    error instanceof DatabaseError ||
    error instanceof SerializationFailureError ||
    error instanceof DeadlockError ||
    error instanceof LockTimeoutError ||
    error instanceof QueryCanceledError ||
    error instanceof ReadOnlyViolationError ||
    error instanceof ConnectionLostError
  );
}
