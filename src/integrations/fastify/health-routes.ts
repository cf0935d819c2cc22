import type { FastifyInstance } from "fastify";
import type { AthanorHandle } from "./athanor-handle.js";
import type { ResolvedPluginOptions } from "./athanor-plugin-options.js";

/**
 * `GET /health`: liveness. Always 200 while the process serves requests (restarting it would
 * not bring a database back); the body is the engine's health report, seed 003's shape with
 * the probe's latency and the pool's counters. `GET /health/ready`: readiness, 503 unless
 * the database answers, the pool has room and the migrations are at head.
 */
export function registerHealthRoutes(app: FastifyInstance, handle: AthanorHandle<any>, options: ResolvedPluginOptions["health"]): void {
  const config = { athanor: { transaction: false } };
  app.get(options.path, { config }, () => handle.engine.healthCheck());
  app.get(options.readyPath, { config }, async (_request, reply) => {
    const report = await handle.readiness();
    return reply.code(report.status === "ready" ? 200 : 503).send(report);
  });
}
