import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from "fastify";
import type { RetryOptions } from "../../session/session-options.js";
import { retryDelayMillis, shouldRetry } from "../../session/retry-policy.js";
import { clientGone } from "./commit-on-send.js";
import { requestDb } from "./request-db.js";
import { HANDLER_RUNNING, REPLY, ROUTE, SESSION, type RequestSlots } from "./request-slots.js";
import type { RouteSettings } from "./route-settings.js";

const WRAPPED = Symbol("athanor.transactionalHandler");

type Handler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Wraps a route's handler so the plugin knows when it runs and how it ended: a handler that
 * hijacked the reply (the plugin never sees that answer) commits when it returns and rolls back
 * when it throws; a request whose client left rolls back; a retry-safe route runs the handler
 * again after a serialization failure or deadlock.
 */
export function transactionalHandler(handler: RouteHandlerMethod, route: RouteSettings): RouteHandlerMethod {
  if ((handler as unknown as Record<symbol, unknown>)[WRAPPED] === true) return handler;
  const wrapped = route.retry === undefined ? tracked(handler as Handler, route) : retrying(handler as Handler, route, route.retry);
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  return wrapped as RouteHandlerMethod;
}

/**
 * Calls the handler with `request.db` as its factory's current session: `sessions.current()`
 * in code the handler calls returns it, and a service's own `sessions.run()` joins the
 * request's transaction instead of starting one beside it. Opened on first need only.
 */
function callWithRequestSession(handler: Handler, app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, route: RouteSettings): unknown {
  if (route.sessions === undefined) return handler.call(app, request, reply);
  return route.sessions.withCurrent(() => requestDb(request), () => handler.call(app, request, reply));
}

function tracked(handler: Handler, route: RouteSettings): Handler {
  return function trackedHandler(this: FastifyInstance, request, reply) {
    const slots = request as unknown as RequestSlots;
    handlerStarts(slots, route, reply);
    let result: unknown;
    try {
      result = callWithRequestSession(handler, this, request, reply, route);
    } catch (error) {
      handlerSettled(request, reply, false);
      throw error;
    }
    if (result !== reply && isThenable(result)) {
      // Registered before Fastify's own reactions to the promise: the plugin knows first.
      result.then(
        () => handlerSettled(request, reply, true),
        () => handlerSettled(request, reply, false),
      );
    } else {
      handlerSettled(request, reply, true);
    }
    return result;
  };
}

/**
 * Retry-safe routes: the handler's payload is serialized and the transaction committed here,
 * inside the loop, so a serialization failure at COMMIT re-runs the handler like one in a
 * statement. Sound because nothing has been sent yet (checked before every attempt), the
 * failed attempt's transaction is rolled back, and the route declared that its handler has no
 * effect outside the database. Handlers that send the reply themselves are committed by the
 * onSend hook instead, without retry.
 */
function retrying(handler: Handler, route: RouteSettings, retry: Required<RetryOptions>): Handler {
  return async function retryingHandler(this: FastifyInstance, request, reply) {
    const slots = request as unknown as RequestSlots;
    for (let attempt = 1; ; attempt++) {
      handlerStarts(slots, route, reply);
      let payload: unknown;
      try {
        payload = await callWithRequestSession(handler, this, request, reply, route);
      } catch (error) {
        if (await rolledBackForRetry(request, reply, error, attempt, retry)) continue;
        handlerSettled(request, reply, false);
        throw error;
      }
      const state = slots[SESSION];
      if (state === null || state.ended || state.sending || reply.sent || payload === undefined || payload === reply || reply.statusCode >= 400) {
        handlerSettled(request, reply, true);
        return payload;
      }
      slots[HANDLER_RUNNING] = false;
      const body = serializeNow(reply, payload);
      try {
        await state.end(!clientGone(reply));
      } catch (error) {
        if (await rolledBackForRetry(request, reply, error, attempt, retry)) continue;
        throw error;
      }
      return body;
    }
  };
}

function handlerStarts(slots: RequestSlots, route: RouteSettings, reply: FastifyReply): void {
  slots[ROUTE] = route;
  slots[REPLY] = reply;
  slots[HANDLER_RUNNING] = true;
  // A session opened by a hook before the handler.
  slots[SESSION]?.watch(reply);
}

/** True when the attempt may run again: its session is rolled back and closed, and the backoff waited. */
async function rolledBackForRetry(request: FastifyRequest, reply: FastifyReply, error: unknown, attempt: number, retry: Required<RetryOptions>): Promise<boolean> {
  const slots = request as unknown as RequestSlots;
  slots[HANDLER_RUNNING] = false;
  const state = slots[SESSION];
  if (!shouldRetry(error, attempt, retry) || reply.sent || reply.raw.headersSent || state?.sending === true || clientGone(reply)) return false;
  // Already ended when the COMMIT failed: end() then hands back that failure, which is handled.
  if (state !== null) await state.end(false).catch(() => undefined);
  slots[SESSION] = null;
  request.log.info(`athanor: ${(error as { code?: string }).code} on attempt ${attempt} of ${retry.maxAttempts}; running the handler again`);
  await new Promise((resolve) => setTimeout(resolve, retryDelayMillis(attempt, retry)));
  return true;
}

/** What Fastify would serialize (objects, arrays, numbers…) as the string it would send; anything else as it is. */
function serializeNow(reply: FastifyReply, payload: unknown): unknown {
  if (typeof payload === "string" || (typeof payload === "object" && payload !== null && isRawPayload(payload))) return payload;
  const contentType = reply.getHeader("content-type");
  if (contentType !== undefined && !String(contentType).includes("json")) return payload;
  if (contentType === undefined) reply.type("application/json; charset=utf-8");
  return reply.serialize(payload);
}

function isRawPayload(payload: object): boolean {
  const candidate = payload as { pipe?: unknown; getReader?: unknown };
  return typeof candidate.pipe === "function" || typeof candidate.getReader === "function" || ArrayBuffer.isView(payload) || Object.prototype.toString.call(payload) === "[object Response]";
}

/** The handler returned (`ok`) or threw: end the session where nobody else will. */
export function handlerSettled(request: FastifyRequest, reply: FastifyReply, ok: boolean): void {
  const slots = request as unknown as RequestSlots;
  slots[HANDLER_RUNNING] = false;
  const state = slots[SESSION];
  if (state === null || state.ended) return;
  if (state.sending) {
    // The onSend hook ran while the handler did: it waits for this, or left the rollback to it.
    state.handlerSettled(ok);
    if (state.doomed) void state.end(false);
    return;
  }
  if (clientGone(reply)) {
    void state.end(false);
    return;
  }
  if (reply.sent) {
    // Hijacked: the plugin will never see the answer. The handler's outcome decides.
    state.end(ok).catch((error: unknown) => reply.log.error({ err: error }, "athanor: the commit after a hijacked reply failed"));
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
