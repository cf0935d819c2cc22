import type { FastifyInstance } from "fastify";
import type { Engine } from "../../engine/engine.js";
import { ResetBusyError, ResetRefusedError } from "../../errors.js";
import { resetDatabase } from "../../schema/initialize-database.js";
import type { ResolvedPluginOptions } from "./athanor-plugin-options.js";
import type { SessionTracker } from "./session-tracker.js";

/**
 * `POST /admin/reset-database` (seeds 000 and 001): drops and recreates every table of the
 * schema, only when the environment variable equals `development` (403 otherwise). It never
 * runs beside other requests' sessions: it stops new ones from opening (they get 503 with
 * Retry-After), waits up to `drainTimeoutMillis` for the open ones to end, and gives up with
 * 409 if they do not. `beforeReset` / `afterReset` pause and resume work outside requests
 * around all of that. Every call is logged.
 */
export function registerResetRoute(app: FastifyInstance, engine: Engine<any>, tracker: SessionTracker, options: NonNullable<ResolvedPluginOptions["reset"]>): void {
  app.post(options.path, { config: { athanor: { transaction: false } } }, async (request) => {
    const environment = process.env[options.environmentVariable];
    if (environment !== "development") {
      request.log.warn(`athanor: database reset refused: ${options.environmentVariable} is ${environment === undefined ? "not set" : `"${environment}"`}`);
      throw new ResetRefusedError(environment);
    }
    if (tracker.paused) throw new ResetBusyError("another database reset is running");
    tracker.paused = true;
    let quiesced = false;
    try {
      if (options.beforeReset !== undefined) {
        quiesced = true;
        await options.beforeReset();
      }
      if (!(await tracker.whenIdle(options.drainTimeoutMillis))) {
        request.log.warn(`athanor: database reset not run: ${tracker.size} request session(s) still open after ${options.drainTimeoutMillis} ms`);
        throw new ResetBusyError(`${tracker.size} request session(s) still open after ${options.drainTimeoutMillis} ms; nothing was reset`);
      }
      request.log.warn("athanor: resetting the database: dropping and recreating every table of the schema");
      const result = await resetDatabase(engine, options.schema, { environment });
      request.log.warn(`athanor: database reset: ${result.created.length} table(s) recreated`);
      return { status: "reset", tables: result.created };
    } finally {
      tracker.paused = false;
      if (quiesced) await options.afterReset?.();
    }
  });
}
