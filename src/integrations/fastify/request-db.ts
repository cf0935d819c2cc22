import type { FastifyRequest } from "fastify";
import { ConfigurationError, ResetInProgressError } from "../../errors.js";
import type { Session } from "../../session/session.js";
import { RequestSession } from "./request-session.js";
import { HANDLER_RUNNING, REPLY, ROUTE, ROUTE_SETTINGS, SESSION, type RequestSlots } from "./request-slots.js";
import type { RouteSettings } from "./route-settings.js";

/**
 * `request.db`: the request's session, opened on first use from the route's factory. Opening
 * takes no connection and runs no BEGIN; the first statement does.
 */
export function requestDb(request: FastifyRequest): Session<any> {
  const slots = request as unknown as RequestSlots;
  const open = slots[SESSION];
  if (open !== null) return open.session;
  const route = slots[ROUTE] ?? (request.routeOptions.config as unknown as Record<symbol, RouteSettings | undefined>)[ROUTE_SETTINGS];
  if (route === undefined) {
    throw new ConfigurationError(
      `request.db on ${request.method} ${request.routeOptions.url ?? "(no route)"}: this route was declared before the athanor plugin was registered, ` +
        "or is a not-found handler. Register the plugin first (await app.register(athanorPlugin, …)), then the routes and plugins that use request.db",
    );
  }
  if (route.sessions === undefined) throw new ConfigurationError(`request.db on ${route.label}: ${route.noSession}`);
  if (route.tracker.paused) throw new ResetInProgressError();
  const state = new RequestSession(route.sessions.open(), route.tracker);
  slots[SESSION] = state;
  const reply = slots[REPLY];
  if (reply !== null && slots[HANDLER_RUNNING]) state.watch(reply);
  return state.session;
}
