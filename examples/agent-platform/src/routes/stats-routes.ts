import type { FastifyInstance } from "fastify";
import { readOnly } from "./route-schemas.js";

/**
 * Seed 002's aggregations, the same numbers on SQLite and PostgreSQL: members per squad
 * (`group by`, squads without members counted 0) and the average feedback rating, overall
 * and per agent.
 *
 * @example
 * ```ts
 * app.register(statsRoutes, { prefix: "/api" });
 * ```
 */
export async function statsRoutes(app: FastifyInstance): Promise<void> {
  app.get("/stats/squads", { config: readOnly }, async (request) => ({
    squads: await request.db
      .selectFrom("squads")
      .leftJoin("squad_members", "squad_members.squad_id", "squads.id")
      .select(["squads.id", "squads.name"])
      .select((eb) => eb.fn.count<number>("squad_members.id").as("member_count"))
      .groupBy(["squads.id", "squads.name"])
      .orderBy("squads.name")
      .orderBy("squads.id")
      .execute(),
  }));

  app.get("/stats/feedback", { config: readOnly }, async (request) => {
    const [overall, agents] = await Promise.all([
      request.db
        .selectFrom("feedback")
        .select((eb) => [eb.fn.countAll<number>().as("ratings"), eb.fn.avg<number>("rating").as("average_rating")])
        .executeTakeFirstOrThrow(),
      request.db
        .selectFrom("feedback")
        .innerJoin("agents", "agents.id", "feedback.agent_id")
        .select(["agents.id", "agents.name"])
        .select((eb) => [eb.fn.countAll<number>().as("ratings"), eb.fn.avg<number>("feedback.rating").as("average_rating")])
        .groupBy(["agents.id", "agents.name"])
        .orderBy("agents.name")
        .orderBy("agents.id")
        .execute(),
    ]);
    return { ...overall, agents };
  });
}
