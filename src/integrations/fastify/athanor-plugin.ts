import fastifyPlugin from "fastify-plugin";
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from "fastify";
import { checkReadiness } from "../../health/check-readiness.js";
import { loadRevisionScripts } from "../../migrate/load-revision-scripts.js";
import { createMigrator, type Migrator } from "../../migrate/migrator.js";
import type { AthanorHandle } from "./athanor-handle.js";
import { resolvePluginOptions, type AthanorPluginOptions, type ResolvedPluginOptions } from "./athanor-plugin-options.js";
import { createErrorHandler } from "./error-handler.js";
import { registerHealthRoutes } from "./health-routes.js";
import { prepareRoute } from "./prepare-route.js";
import { requestDb } from "./request-db.js";
import { HANDLER_RUNNING, REPLY, ROUTE, SESSION } from "./request-slots.js";
import { registerResetRoute } from "./reset-route.js";
import { SessionTracker } from "./session-tracker.js";

async function athanor(app: FastifyInstance, given: AthanorPluginOptions<any>): Promise<void> {
  const options = resolvePluginOptions(given);
  try {
    await install(app, options);
  } catch (error) {
    if (options.ownsEngine) await options.engine.dispose();
    throw error;
  }
}

async function install(app: FastifyInstance, options: ResolvedPluginOptions): Promise<void> {
  const { engine, sessions } = options;
  const tracker = new SessionTracker();
  const migrator = await migratorOf(options);
  const handle: AthanorHandle<any> = Object.freeze({
    engine,
    sessions,
    db: engine.db,
    readiness: () => checkReadiness(engine, { migrator, maxPoolWaiting: options.health.maxPoolWaiting }),
  });

  app.decorate("athanor", handle);
  app.decorateRequest(SESSION, null);
  app.decorateRequest(ROUTE, null);
  app.decorateRequest(HANDLER_RUNNING, false);
  app.decorateRequest(REPLY, null);
  app.decorateRequest("db", {
    getter(this: FastifyRequest) {
      return requestDb(this);
    },
  });
  const base = { sessions, tracker, variants: new Map() };
  app.addHook("onRoute", (route) => prepareRoute(route, base));
  if (options.errors !== false) app.setErrorHandler(createErrorHandler(options.errors));
  if (options.healthRoutes) registerHealthRoutes(app, handle, options.health);
  if (options.reset !== undefined) registerResetRoute(app, engine, tracker, options.reset);

  app.addHook("onClose", async () => {
    if (!(await tracker.whenIdle(options.closeTimeoutMillis))) {
      app.log.warn(`athanor: ${tracker.size} request session(s) still open ${options.closeTimeoutMillis} ms after app.close(): rolling them back`);
      await tracker.rollBackAll();
    }
    if (options.ownsEngine) await engine.dispose();
  });
}

async function migratorOf(options: ResolvedPluginOptions): Promise<Migrator | undefined> {
  const { migrations, versionTable } = options.health;
  if (migrations === undefined) return undefined;
  const scripts = typeof migrations === "string" ? await loadRevisionScripts(migrations) : migrations;
  return createMigrator(options.engine, { scripts, ...(typeof migrations === "string" ? { directory: migrations } : {}), ...(versionTable === undefined ? {} : { versionTable }) });
}

/**
 * The Fastify plugin: the seeds' `Depends(get_db)` for Fastify 5. Each request gets a
 * session as `request.db`, opened on first use and ended before the response is sent:
 * committed when the status is below 400 (a failed commit becomes the error answer, never a
 * 200), rolled back otherwise, always closed. Database errors are answered from one table
 * (`HTTP_ERROR_TABLE`); health, readiness and the development-only reset route are opt-in.
 * Register it before the routes that use `request.db`.
 *
 * @example
 * ```ts
 * export function buildApp({ sessions }: { sessions: SessionFactory<DB> }) {
 *   const app = Fastify();
 *   app.register(athanorPlugin, { sessions, health: true });
 *   app.register(async (api) => {
 *     api.get("/agents/:id", (request: FastifyRequest<{ Params: { id: string } }>) =>
 *       request.db.selectFrom("agents").selectAll().where("id", "=", request.params.id).executeTakeFirstOrThrow(), // 404 when missing
 *     );
 *   });
 *   return app;
 * }
 * ```
 */
export const athanorPlugin: FastifyPluginAsync<AthanorPluginOptions> = fastifyPlugin(athanor, { name: "athanor", fastify: "5.x" });
