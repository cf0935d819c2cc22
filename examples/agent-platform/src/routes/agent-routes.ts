import type { FastifyInstance } from "fastify";
import { paginate } from "athanor";
import { loadMany } from "athanor/schema";
import { agentRunsOf, type AgentConfig } from "../schema.js";
import { checkSchedule } from "../scheduler/check-schedule.js";
import { idParams, pageBody, pageQuery, readOnly, type IdParams, type PageQuery } from "./route-schemas.js";

interface AgentBody {
  owner_id: string;
  name: string;
  description?: string | null;
  schedule?: string | null;
  config?: AgentConfig | null;
}

const agentProperties = {
  owner_id: { type: "string", format: "uuid" },
  name: { type: "string", minLength: 1 },
  description: { type: ["string", "null"] },
  schedule: { type: ["string", "null"], maxLength: 200 }, // checked by croner: 400 INVALID_SCHEDULE
  config: {
    type: ["object", "null"],
    required: ["model"],
    additionalProperties: false,
    properties: { model: { type: "string" }, temperature: { type: "number" }, instructions: { type: "string" } },
  },
} as const;

/**
 * Agents (seed 000): CRUD, where `schedule` is a cron expression and NULL means not
 * scheduled (clearing it stops the agent at once: see AgentScheduler), their runs, and
 * feedback on them (seed 002's Feedback).
 *
 * @example
 * ```ts
 * app.register(agentRoutes, { prefix: "/api" });
 * ```
 */
export async function agentRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: AgentBody }>(
    "/agents",
    { schema: { body: { type: "object", required: ["owner_id", "name"], additionalProperties: false, properties: agentProperties } } },
    async (request, reply) => {
      checkSchedule(request.body.schedule);
      const agent = await request.db.insertInto("agents").values(request.body).returningAll().executeTakeFirstOrThrow(); // an unknown owner: 409
      return reply.code(201).send(agent);
    },
  );

  app.get<{ Querystring: PageQuery & { owner_id?: string; scheduled?: boolean } }>(
    "/agents",
    {
      config: readOnly,
      schema: { querystring: { ...pageQuery, properties: { ...pageQuery.properties, owner_id: { type: "string", format: "uuid" }, scheduled: { type: "boolean" } } } },
    },
    async (request) => {
      const { owner_id: ownerId, scheduled } = request.query;
      let query = request.db.selectFrom("agents").selectAll().orderBy("created_at").orderBy("id");
      if (ownerId !== undefined) query = query.where("owner_id", "=", ownerId);
      if (scheduled !== undefined) query = query.where("schedule", scheduled ? "is not" : "is", null);
      return pageBody(await paginate(query, { page: request.query.page, perPage: request.query.per_page }));
    },
  );

  // The agent with its five latest runs and its average rating, in one statement.
  app.get<{ Params: IdParams }>("/agents/:id", { config: readOnly, schema: { params: idParams } }, (request) =>
    request.db
      .selectFrom("agents")
      .selectAll()
      .select((eb) => [
        loadMany(eb, agentRunsOf, (q) => q.select(["id", "scheduled_for", "status", "worker", "finished_at"]).orderBy("scheduled_for", "desc").limit(5)).as("recent_runs"),
        eb.selectFrom("feedback").select((sub) => sub.fn.avg<number>("rating").as("r")).whereRef("feedback.agent_id", "=", "agents.id").as("average_rating"),
      ])
      .where("agents.id", "=", request.params.id)
      .executeTakeFirstOrThrow(),
  );

  app.patch<{ Params: IdParams; Body: Partial<AgentBody> }>(
    "/agents/:id",
    { schema: { params: idParams, body: { type: "object", minProperties: 1, additionalProperties: false, properties: agentProperties } } },
    (request) => {
      checkSchedule(request.body.schedule);
      // `{ "schedule": null }` stops the agent: no run is recorded for it once this commits.
      return request.db.updateTable("agents").set(request.body).where("id", "=", request.params.id).returningAll().executeTakeFirstOrThrow();
    },
  );

  app.delete<{ Params: IdParams }>("/agents/:id", { schema: { params: idParams } }, async (request, reply) => {
    await request.db.deleteFrom("agents").where("id", "=", request.params.id).returning("id").executeTakeFirstOrThrow();
    return reply.code(204).send();
  });

  app.get<{ Params: IdParams; Querystring: PageQuery }>("/agents/:id/runs", { config: readOnly, schema: { params: idParams, querystring: pageQuery } }, async (request) => {
    await request.db.selectFrom("agents").select("id").where("id", "=", request.params.id).executeTakeFirstOrThrow(); // 404 for an unknown agent
    const runs = request.db.selectFrom("agent_runs").selectAll().where("agent_id", "=", request.params.id).orderBy("scheduled_for", "desc").orderBy("id");
    return pageBody(await paginate(runs, { page: request.query.page, perPage: request.query.per_page }));
  });

  app.post<{ Params: IdParams; Body: { user_id?: string | null; rating: number; comment?: string | null } }>(
    "/agents/:id/feedback",
    {
      schema: {
        params: idParams,
        body: {
          type: "object",
          required: ["rating"],
          additionalProperties: false,
          // The range 1..5 is the database's CHECK (feedback_rating_range): a 6 is answered 400 CHECK_VIOLATION.
          properties: { user_id: { type: ["string", "null"], format: "uuid" }, rating: { type: "integer" }, comment: { type: ["string", "null"] } },
        },
      },
    },
    async (request, reply) => {
      const row = await request.db
        .insertInto("feedback")
        .values({ agent_id: request.params.id, user_id: request.body.user_id ?? null, rating: request.body.rating, comment: request.body.comment ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).send(row);
    },
  );
}
