import type { FastifyInstance } from "fastify";
import { paginate } from "athanor";
import { loadMany, loadOne, type JsonValue } from "athanor/schema";
import { conversationMessages, conversationPersona } from "../schema.js";
import { idParams, pageBody, pageQuery, readOnly, type IdParams, type PageQuery } from "./route-schemas.js";

interface ConversationBody {
  title: string;
  persona_id?: string | null;
  provider_type?: string | null;
  provider_config?: Record<string, unknown> | null;
}

const conversationProperties = {
  title: { type: "string", minLength: 1, maxLength: 255 },
  persona_id: { type: ["string", "null"], format: "uuid" },
  provider_type: { type: ["string", "null"], maxLength: 50 },
  provider_config: { type: ["object", "null"] },
} as const;

interface StateBody {
  persona_id: string;
  module_id: string;
  state_key: string;
  state_value: JsonValue;
}

/**
 * Conversations (seed 003): CRUD (deleting one deletes its messages, memories and states:
 * ON DELETE CASCADE), one conversation with its persona and latest messages in one statement,
 * and module state, kept once per (conversation, persona, module, key).
 *
 * @example
 * ```ts
 * app.register(conversationRoutes, { prefix: "/api" });
 * ```
 */
export async function conversationRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: ConversationBody }>(
    "/conversations",
    { schema: { body: { type: "object", required: ["title"], additionalProperties: false, properties: conversationProperties } } },
    async (request, reply) => reply.code(201).send(await request.db.insertInto("conversations").values(request.body).returningAll().executeTakeFirstOrThrow()),
  );

  app.get<{ Querystring: PageQuery }>("/conversations", { config: readOnly, schema: { querystring: pageQuery } }, async (request) =>
    pageBody(
      await paginate(request.db.selectFrom("conversations").selectAll().orderBy("updated_at", "desc").orderBy("id"), { page: request.query.page, perPage: request.query.per_page }),
    ),
  );

  app.get<{ Params: IdParams }>("/conversations/:id", { config: readOnly, schema: { params: idParams } }, (request) =>
    request.db
      .selectFrom("conversations")
      .selectAll()
      .select((eb) => [
        loadOne(eb, conversationPersona, (q) => q.select(["id", "name", "first_message"])).as("persona"),
        loadMany(eb, conversationMessages, (q) => q.select(["id", "role", "content", "created_at"]).orderBy("created_at", "desc").orderBy("id", "desc").limit(20)).as("latest_messages"),
      ])
      .where("conversations.id", "=", request.params.id)
      .executeTakeFirstOrThrow(),
  );

  app.patch<{ Params: IdParams; Body: Partial<ConversationBody> }>(
    "/conversations/:id",
    { schema: { params: idParams, body: { type: "object", minProperties: 1, additionalProperties: false, properties: conversationProperties } } },
    (request) => request.db.updateTable("conversations").set(request.body).where("id", "=", request.params.id).returningAll().executeTakeFirstOrThrow(),
  );

  app.delete<{ Params: IdParams }>("/conversations/:id", { schema: { params: idParams } }, async (request, reply) => {
    await request.db.deleteFrom("conversations").where("id", "=", request.params.id).returning("id").executeTakeFirstOrThrow();
    return reply.code(204).send();
  });

  // Seed 003's conversation_states: one value per (conversation, persona, module, key), upserted.
  app.put<{ Params: IdParams; Body: StateBody }>(
    "/conversations/:id/states",
    {
      schema: {
        params: idParams,
        body: {
          type: "object",
          required: ["persona_id", "module_id", "state_key", "state_value"],
          additionalProperties: false,
          properties: {
            persona_id: { type: "string", format: "uuid" },
            module_id: { type: "string", format: "uuid" },
            state_key: { type: "string", minLength: 1, maxLength: 255 },
            state_value: {},
          },
        },
      },
    },
    (request) =>
      request.db
        .insertInto("conversation_states")
        .values({ conversation_id: request.params.id, ...request.body })
        .onConflict((conflict) => conflict.columns(["conversation_id", "persona_id", "module_id", "state_key"]).doUpdateSet({ state_value: request.body.state_value }))
        .returningAll()
        .executeTakeFirstOrThrow(), // an unknown conversation, persona or module: 409 (foreign key)
  );

  app.get<{ Params: IdParams }>("/conversations/:id/states", { config: readOnly, schema: { params: idParams } }, async (request) => ({
    items: await request.db.selectFrom("conversation_states").selectAll().where("conversation_id", "=", request.params.id).orderBy("state_key").orderBy("id").execute(),
  }));
}
