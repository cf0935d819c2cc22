import type { FastifyInstance } from "fastify";
import { paginate } from "athanor";
import { idParams, pageBody, pageQuery, readOnly, type IdParams, type PageQuery } from "./route-schemas.js";

const PLAN_TIERS = ["free", "pro", "enterprise"] as const;

interface UserBody {
  email: string;
  name: string;
  organization_id?: string | null;
  is_active?: boolean;
  plan_tier?: (typeof PLAN_TIERS)[number];
}

const userProperties = {
  email: { type: "string", format: "email", maxLength: 255 },
  name: { type: "string", minLength: 1 },
  organization_id: { type: ["string", "null"], format: "uuid" },
  is_active: { type: "boolean" },
  plan_tier: { type: "string", enum: PLAN_TIERS },
} as const;

/**
 * Users (seed 002): create (a duplicate email is a 400, as seed 002 answers it), a page with
 * the total and the page count, read, update, delete.
 *
 * @example
 * ```ts
 * app.register(userRoutes, { prefix: "/api" });
 * ```
 */
export async function userRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: UserBody }>(
    "/users",
    { schema: { body: { type: "object", required: ["email", "name"], additionalProperties: false, properties: userProperties } } },
    async (request, reply) => {
      const user = await request.db.insertInto("users").values(request.body).returningAll().executeTakeFirstOrThrow();
      return reply.code(201).send(user);
    },
  );

  app.get<{ Querystring: PageQuery }>("/users", { config: readOnly, schema: { querystring: pageQuery } }, async (request) =>
    pageBody(await paginate(request.db.selectFrom("users").selectAll().orderBy("created_at").orderBy("id"), { page: request.query.page, perPage: request.query.per_page })),
  );

  app.get<{ Params: IdParams }>("/users/:id", { config: readOnly, schema: { params: idParams } }, (request) =>
    request.db.selectFrom("users").selectAll().where("id", "=", request.params.id).executeTakeFirstOrThrow(),
  );

  app.patch<{ Params: IdParams; Body: Partial<UserBody> }>(
    "/users/:id",
    { schema: { params: idParams, body: { type: "object", minProperties: 1, additionalProperties: false, properties: userProperties } } },
    (request) => request.db.updateTable("users").set(request.body).where("id", "=", request.params.id).returningAll().executeTakeFirstOrThrow(),
  );

  app.delete<{ Params: IdParams }>("/users/:id", { schema: { params: idParams } }, async (request, reply) => {
    await request.db.deleteFrom("users").where("id", "=", request.params.id).returning("id").executeTakeFirstOrThrow();
    return reply.code(204).send();
  });
}
