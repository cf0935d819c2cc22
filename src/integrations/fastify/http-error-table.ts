/** How one error code is answered over HTTP. */
export interface HttpErrorRule {
  readonly statusCode: number;
  /**
   * The body's `message`: a fixed sentence, never the database's own message, which may quote
   * the statement, the values it was given, or connection details.
   */
  readonly message: string;
  /** Answered with a `Retry-After` header (the condition is expected to pass). */
  readonly retryAfter?: boolean;
}

/**
 * The errors → HTTP table: Athanor's error codes (and `NO_RESULT` for Kysely's
 * `NoResultError`, thrown by `executeTakeFirstOrThrow()`), each with its status code. Any other
 * Athanor error is answered by the `*` row. Errors that are not Athanor's pass to the next
 * error handler. Override status codes with the plugin's `errors.statusCodes`; docs/fastify.md
 * shows this table (a test keeps the two in sync).
 *
 * @example
 * ```ts
 * app.register(athanorPlugin, { engine, errors: { statusCodes: { UNIQUE_VIOLATION: 400 } } }); // seed 002's 400
 * ```
 */
export const HTTP_ERROR_TABLE: Readonly<Record<string, HttpErrorRule>> = Object.freeze({
  NO_RESULT: { statusCode: 404, message: "not found" },
  UNIQUE_VIOLATION: { statusCode: 409, message: "a row with the same unique value already exists" },
  FOREIGN_KEY_VIOLATION: { statusCode: 409, message: "the change references a row that does not exist, or removes one that is still referenced" },
  NOT_NULL_VIOLATION: { statusCode: 400, message: "a required value is missing" },
  CHECK_VIOLATION: { statusCode: 400, message: "a value is not allowed by a check constraint" },
  INVALID_CURSOR: { statusCode: 400, message: "the page cursor is not one that this list returned" },
  INVALID_REPLICA_POSITION: { statusCode: 400, message: "the database position token is not one that this service returned" },
  SERIALIZATION_FAILURE: { statusCode: 409, message: "the request conflicted with a concurrent one; retry it" },
  DEADLOCK: { statusCode: 409, message: "the request conflicted with a concurrent one; retry it" },
  POOL_TIMEOUT: { statusCode: 503, message: "the database is busy; retry later", retryAfter: true },
  CONNECTION_LOST: { statusCode: 503, message: "the database connection was lost; retry later", retryAfter: true },
  CONNECTION_FAILED: { statusCode: 503, message: "the database is unavailable; retry later", retryAfter: true },
  LOCK_TIMEOUT: { statusCode: 503, message: "a lock was not granted in time; retry later", retryAfter: true },
  QUERY_CANCELED: { statusCode: 503, message: "the database statement was cancelled or timed out", retryAfter: true },
  ENGINE_DISPOSED: { statusCode: 503, message: "the service is shutting down", retryAfter: true },
  RESET_IN_PROGRESS: { statusCode: 503, message: "the database is being reset; retry shortly", retryAfter: true },
  COMMIT_OUTCOME_UNKNOWN: { statusCode: 500, message: "the connection was lost while committing: the change may or may not have been saved" },
  READ_ONLY_VIOLATION: { statusCode: 500, message: "a write was attempted in a read-only transaction" },
  RESET_REFUSED: { statusCode: 403, message: "the database can be reset only in the development environment" },
  RESET_BUSY: { statusCode: 409, message: "other requests are using the database; retry the reset when they are done" },
  "*": { statusCode: 500, message: "a database error occurred" },
});
