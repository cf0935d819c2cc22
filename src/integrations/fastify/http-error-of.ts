import { STATUS_CODES } from "node:http";
import { NoResultError } from "kysely";
import { AthanorError, ConstraintViolationError } from "../../errors.js";
import { HTTP_ERROR_TABLE, type HttpErrorRule } from "./http-error-table.js";

/** The body of an error answer: Fastify's error shape, plus the constraint's name when the database gave one. */
export interface HttpErrorBody {
  readonly statusCode: number;
  /** The error's code (`UNIQUE_VIOLATION`, `NO_RESULT`, …). */
  readonly code: string;
  /** The status code's reason phrase (`Conflict`). */
  readonly error: string;
  readonly message: string;
  /** The violated constraint, when the error names it (always with an engine made with `{ schema }`). */
  readonly constraint?: string;
}

/** An error's HTTP answer. */
export interface HttpError {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: HttpErrorBody;
}

/** Options of {@link httpErrorOf}. */
export interface HttpErrorOfOptions {
  /** The table to use (default {@link HTTP_ERROR_TABLE}). */
  readonly table?: Readonly<Record<string, HttpErrorRule>>;
  /** The `Retry-After` value, in seconds. Default 1. */
  readonly retryAfterSeconds?: number;
}

/**
 * The HTTP answer for a database error: Athanor's errors and Kysely's `NoResultError`, looked
 * up in the errors → HTTP table; `undefined` for any other error. The body never carries the
 * database's message, the statement, its parameters or connection details. For an error
 * handler of your own (with the plugin's `errors: false`, or in front of it).
 *
 * @example
 * ```ts
 * app.setErrorHandler((error, request, reply) => {
 *   const answer = httpErrorOf(error);
 *   if (answer === undefined) throw error; // not a database error: the next handler's
 *   return reply.code(answer.statusCode).headers(answer.headers).send({ ...answer.body, requestId: request.id });
 * });
 * ```
 */
export function httpErrorOf(error: unknown, options: HttpErrorOfOptions = {}): HttpError | undefined {
  const code = codeOf(error);
  if (code === undefined) return undefined;
  const table = options.table ?? HTTP_ERROR_TABLE;
  const rule = table[code] ?? table["*"] ?? HTTP_ERROR_TABLE["*"]!;
  const headers: Record<string, string> = rule.retryAfter === true ? { "retry-after": String(options.retryAfterSeconds ?? 1) } : {};
  const constraint = error instanceof ConstraintViolationError ? error.constraint : undefined;
  const body: HttpErrorBody = {
    statusCode: rule.statusCode,
    code,
    error: STATUS_CODES[rule.statusCode] ?? "Error",
    message: rule.message,
    ...(constraint === undefined ? {} : { constraint }),
  };
  return { statusCode: rule.statusCode, headers, body };
}

function codeOf(error: unknown): string | undefined {
  if (error instanceof AthanorError) return error.code;
  if (error instanceof NoResultError) return "NO_RESULT";
  return undefined;
}
