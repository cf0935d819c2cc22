import type { FastifyReply } from "fastify";
import type { RequestSession } from "./request-session.js";
import type { RouteSettings } from "./route-settings.js";

/** Where the plugin keeps a request's state: slots declared on every request with `decorateRequest`. */
export const SESSION = Symbol("athanor.requestSession");
export const ROUTE = Symbol("athanor.route");
export const HANDLER_RUNNING = Symbol("athanor.handlerRunning");
export const REPLY = Symbol("athanor.reply");

/** The plugin's view of a Fastify request. */
export interface RequestSlots {
  /** The request's session once `request.db` opened it. */
  [SESSION]: RequestSession | null;
  /** The route's settings, set when its handler starts (before that, read from the route's config). */
  [ROUTE]: RouteSettings | null;
  /** True while the route's handler runs. */
  [HANDLER_RUNNING]: boolean;
  /** The request's reply, once its handler started. */
  [REPLY]: FastifyReply | null;
}

/** The key under which a route's settings sit in its `config` (as Fastify copies it into the route's context). */
export const ROUTE_SETTINGS = Symbol.for("athanor.routeSettings");
