import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { httpErrorOf, type HttpErrorOfOptions } from "./http-error-of.js";

/**
 * The plugin's error handler: database errors are answered from the errors → HTTP table and
 * logged (5xx as errors, 4xx as info); any other error is thrown on to the next error handler
 * (Fastify's default, or the one that was set before).
 */
export function createErrorHandler(options: HttpErrorOfOptions) {
  return function athanorErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
    const answer = httpErrorOf(error, options);
    if (answer === undefined) throw error;
    if (answer.statusCode >= 500) reply.log.error({ err: error }, error.message);
    else reply.log.info({ err: error }, error.message);
    reply.code(answer.statusCode).headers(answer.headers);
    return answer.body;
  };
}
