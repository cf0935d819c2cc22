import type { FastifyInstance } from "fastify";
import type { BenchDialect, BenchTarget } from "../contender.js";

/** A Fastify app serving `GET /items/:id` (a point select by primary key), and what to close after it. */
export interface HttpServer {
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * One way of serving a point select over HTTP, benchmarked against the others: a Fastify app
 * with the route `GET /items/:id`, answering the row as JSON.
 *
 * @example
 * ```ts
 * export const rawPgRoute: HttpContender = {
 *   name: "raw pg route",
 *   dialect: "postgres",
 *   role: "raw",
 *   async build(target) {
 *     const pool = benchPgPool(target.location, target.poolSize);
 *     const app = Fastify();
 *     app.get("/items/:id", async (request) => (await pool.query(SQL.postgres.pointSelect, [Number(request.params.id)])).rows[0]);
 *     return { app, close: async () => { await app.close(); await pool.end(); } };
 *   },
 * };
 * ```
 */
export interface HttpContender {
  /** Shown in the table, unique per dialect. */
  readonly name: string;
  readonly dialect: BenchDialect;
  /** `raw`: the route on the raw driver, every ratio's reference. `plugin`: the usual hand-written transaction plugin. */
  readonly role?: "raw" | "plugin";
  build(target: BenchTarget): Promise<HttpServer>;
}

/** The route's id parameter, as every contender reads it. */
export function itemId(request: { params: unknown }): number {
  return Number((request.params as { id: string }).id);
}
