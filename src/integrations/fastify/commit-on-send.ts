import type { FastifyReply, FastifyRequest } from "fastify";
import { HANDLER_RUNNING, SESSION, type RequestSlots } from "./request-slots.js";
import { SETTLED } from "../../pool/maybe-promise.js";

type Done = (error?: Error | null, payload?: unknown) => void;

/**
 * The route's last onSend hook: the payload is serialized and nothing is written yet, so this
 * is where the request's transaction ends. Below 400 it commits, and a failed commit becomes
 * the answer (the error goes through the error handler) instead of a 200 for data that is not
 * there; from 400 on, or when the client is gone, it rolls back. Either way the session is
 * closed before the first byte is written.
 */
export function commitOnSend(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: Done): void {
  const state = (request as unknown as RequestSlots)[SESSION];
  if (state === null || state.ended) {
    done(null, payload);
    return;
  }
  state.sending = true;
  if ((request as unknown as RequestSlots)[HANDLER_RUNNING] && !state.replyAwaited) {
    // The handler sent the reply itself and goes on, or a timeout answered for it.
    if (reply.statusCode >= 400) {
      // An error answer must not wait: the transaction is rolled back when the handler returns.
      state.doomed = true;
      done(null, payload);
      return;
    }
    // What it did so far may not be the whole unit of work: commit once it returns (or awaits
    // the reply). If it throws instead, Fastify answers with that error (this send is dropped).
    void state.whenHandlerIsDone().then((ok) => {
      if (ok) finish(request, reply, payload, done);
      else void state.end(false);
    });
    return;
  }
  finish(request, reply, payload, done);
}

function finish(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: Done): void {
  const state = (request as unknown as RequestSlots)[SESSION]!;
  const ending = state.end(reply.statusCode < 400 && !clientGone(reply));
  if (ending === SETTLED) {
    done(null, payload);
    return;
  }
  ending.then(
    () => done(null, payload),
    (error: Error) => done(error),
  );
}

/** The connection closed before the response was written (client abort, `connectionTimeout`). */
export function clientGone(reply: FastifyReply): boolean {
  // The socket's own flag comes first: the response learns of it on the socket's 'close' event, a turn later.
  return !reply.raw.writableEnded && (reply.raw.destroyed || reply.request.raw.socket?.destroyed === true);
}
