/**
 * An error the API answers itself (not a database error, which athanor/fastify maps): Fastify's
 * default error handler answers `{ statusCode, code, error, message }` from it.
 *
 * @example
 * ```ts
 * throw new ApiError(400, "INVALID_SCHEDULE", `"every day" is not a cron expression`);
 * ```
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
