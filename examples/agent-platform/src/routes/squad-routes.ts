import type { FastifyInstance } from "fastify";
import { paginate } from "athanor";
import { loadMany, loadOne } from "athanor/schema";
import { squadMembersOf, squadOwner } from "../schema.js";
import { createSquad, transferSquad, type NewSquad } from "../services/squad-service.js";
import { idParams, pageBody, pageQuery, readOnly, type IdParams, type PageQuery } from "./route-schemas.js";

const STATUSES = ["active", "paused", "archived"] as const;

interface SquadPatch {
  name?: string;
  description?: string | null;
  status?: (typeof STATUSES)[number];
}

const member = {
  type: "object",
  required: ["role"],
  additionalProperties: false,
  properties: { role: { type: "string", minLength: 1, maxLength: 100 }, system_prompt: { type: ["string", "null"] } },
} as const;

/**
 * Squads and their members (seed 002): create with members (each in a savepoint), a page of
 * squads with their member counts, one squad with its members and owner in one statement,
 * update, delete, add a member, and the ownership transfer under a row lock.
 *
 * @example
 * ```ts
 * app.register(squadRoutes, { prefix: "/api" });
 * ```
 */
export async function squadRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: NewSquad }>(
    "/squads",
    {
      schema: {
        body: {
          type: "object",
          required: ["user_id", "name"],
          additionalProperties: false,
          properties: {
            user_id: { type: "string", format: "uuid" },
            name: { type: "string", minLength: 1 },
            description: { type: ["string", "null"] },
            members: { type: "array", maxItems: 100, items: member },
          },
        },
      },
    },
    async (request, reply) => reply.code(201).send(await createSquad(request.db, request.body)), // an unknown user_id is a 409 (foreign key)
  );

  app.get<{ Querystring: PageQuery & { status?: SquadPatch["status"] } }>(
    "/squads",
    { config: readOnly, schema: { querystring: { ...pageQuery, properties: { ...pageQuery.properties, status: { type: "string", enum: STATUSES } } } } },
    async (request) => {
      let query = request.db
        .selectFrom("squads")
        .selectAll()
        .select((eb) => eb.selectFrom("squad_members").select((sub) => sub.fn.countAll<number>().as("n")).whereRef("squad_members.squad_id", "=", "squads.id").as("member_count"))
        .orderBy("created_at")
        .orderBy("id");
      if (request.query.status !== undefined) query = query.where("status", "=", request.query.status);
      return pageBody(await paginate(query, { page: request.query.page, perPage: request.query.per_page }));
    },
  );

  // The squad, its members and its owner in one statement (seed 002's joinedload, no N+1).
  app.get<{ Params: IdParams }>("/squads/:id", { config: readOnly, schema: { params: idParams } }, (request) =>
    request.db
      .selectFrom("squads")
      .selectAll()
      .select((eb) => [
        loadMany(eb, squadMembersOf, (q) => q.select(["id", "role", "system_prompt", "is_active", "created_at"]).orderBy("role")).as("members"),
        loadOne(eb, squadOwner, (q) => q.select(["id", "name", "email"])).as("owner"),
      ])
      .where("squads.id", "=", request.params.id)
      .executeTakeFirstOrThrow(),
  );

  app.patch<{ Params: IdParams; Body: SquadPatch }>(
    "/squads/:id",
    {
      schema: {
        params: idParams,
        body: {
          type: "object",
          minProperties: 1,
          additionalProperties: false,
          properties: { name: { type: "string", minLength: 1 }, description: { type: ["string", "null"] }, status: { type: "string", enum: STATUSES } },
        },
      },
    },
    (request) => request.db.updateTable("squads").set(request.body).where("id", "=", request.params.id).returningAll().executeTakeFirstOrThrow(),
  );

  app.delete<{ Params: IdParams }>("/squads/:id", { schema: { params: idParams } }, async (request, reply) => {
    await request.db.deleteFrom("squads").where("id", "=", request.params.id).returning("id").executeTakeFirstOrThrow();
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams; Body: { role: string; system_prompt?: string | null } }>(
    "/squads/:id/members",
    { schema: { params: idParams, body: member } },
    async (request, reply) => {
      const row = await request.db
        .insertInto("squad_members")
        .values({ squad_id: request.params.id, role: request.body.role, system_prompt: request.body.system_prompt ?? null })
        .returningAll()
        .executeTakeFirstOrThrow(); // a role the squad has: 400 (unique); an unknown squad: 409 (foreign key)
      return reply.code(201).send(row);
    },
  );

  app.post<{ Params: IdParams; Body: { new_owner_id: string; expected_owner_id?: string } }>(
    "/squads/:id/transfer",
    {
      schema: {
        params: idParams,
        body: {
          type: "object",
          required: ["new_owner_id"],
          additionalProperties: false,
          properties: { new_owner_id: { type: "string", format: "uuid" }, expected_owner_id: { type: "string", format: "uuid" } },
        },
      },
    },
    (request) => transferSquad(request.db, request.params.id, { newOwnerId: request.body.new_owner_id, expectedOwnerId: request.body.expected_owner_id }),
  );
}
