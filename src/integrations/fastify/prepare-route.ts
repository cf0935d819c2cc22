import type { RouteOptions } from "fastify";
import { commitOnSend } from "./commit-on-send.js";
import { ROUTE_SETTINGS } from "./request-slots.js";
import { resolveRouteSettings, type RouteBase, type RouteSettings } from "./route-settings.js";
import { transactionalHandler } from "./transactional-handler.js";

/**
 * The plugin's onRoute hook: resolves the route's `config.athanor` once, keeps the settings in
 * the route's config (where `request.db` finds them), wraps the handler and appends the
 * onSend hook that ends the transaction. Route hooks run after the application's, so the
 * commit comes after every other onSend hook declared before the route.
 */
export function prepareRoute(route: RouteOptions, base: RouteBase): void {
  const config = (route.config ?? {}) as Record<string | symbol, unknown>;
  // A HEAD route Fastify derives from a GET route arrives with the GET route's settings.
  let settings = (config[ROUTE_SETTINGS] as RouteSettings | undefined) ?? resolveRouteSettings(config.athanor, `${[route.method].flat().join(",")} ${route.url}`, base);
  if ((route as { websocket?: unknown }).websocket === true && settings.sessions !== undefined) {
    // A WebSocket route's handler outlives its request: messages need sessions of their own.
    const noSession = "a WebSocket route has no request session (its handler outlives the request); open one per message with request.server.athanor.sessions.run()";
    settings = Object.freeze({ ...settings, sessions: undefined, noSession, retry: undefined });
  }
  route.config = { ...config, [ROUTE_SETTINGS]: settings } as RouteOptions["config"];
  if (settings.sessions === undefined) return;
  route.handler = transactionalHandler(route.handler, settings);
  const onSend = route.onSend === undefined ? [] : [route.onSend].flat();
  if (!onSend.includes(commitOnSend as never)) route.onSend = [...onSend, commitOnSend as never];
}
