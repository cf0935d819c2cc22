import type { FastifyInstance } from "fastify";
import { paginateByKey } from "athanor";
import { idParams, readOnly, type IdParams } from "./route-schemas.js";

interface MessageBody {
  role: string;
  content: string;
  thinking?: string | null;
  extra_data?: Record<string, unknown> | null;
  input_tokens?: number | null;
  output_tokens?: number | null;
}

const messageProperties = {
  role: { type: "string", minLength: 1, maxLength: 50 },
  content: { type: "string" },
  thinking: { type: ["string", "null"] },
  extra_data: { type: ["object", "null"] },
  input_tokens: { type: ["integer", "null"], minimum: 0 },
  output_tokens: { type: ["integer", "null"], minimum: 0 },
} as const;

const messageSchema = { type: "object", required: ["role", "content"], additionalProperties: false, properties: messageProperties } as const;

/** The most messages one bulk import takes. */
export const MAX_BULK_MESSAGES = 10_000;

/**
 * Messages of a conversation (seed 003): post one, page through them newest first by cursor
 * (keyset pagination: page 1,000 costs what page 1 does), import up to 10,000 in one request
 * (multi-row INSERTs in one transaction), read, edit, delete.
 *
 * @example
 * ```ts
 * app.register(messageRoutes, { prefix: "/api" });
 * ```
 */
export async function messageRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Params: IdParams; Body: MessageBody }>("/conversations/:id/messages", { schema: { params: idParams, body: messageSchema } }, async (request, reply) => {
    await request.db.selectFrom("conversations").select("id").where("id", "=", request.params.id).executeTakeFirstOrThrow(); // 404 for an unknown conversation
    const message = await request.db
      .insertInto("messages")
      .values({ ...request.body, conversation_id: request.params.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    return reply.code(201).send(message);
  });

  app.get<{ Params: IdParams; Querystring: { limit: number; after?: string } }>(
    "/conversations/:id/messages",
    {
      config: readOnly,
      schema: {
        params: idParams,
        querystring: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 500, default: 50 }, after: { type: "string", maxLength: 500 } } },
      },
    },
    async (request) => {
      const query = request.db.selectFrom("messages").selectAll().where("conversation_id", "=", request.params.id);
      // A cursor the client made up is an InvalidCursorError, which the plugin answers 400.
      return await paginateByKey(query, { orderBy: [["created_at", "desc"], ["id", "desc"]], limit: request.query.limit, after: request.query.after ?? null });
    },
  );

  app.post<{ Params: IdParams; Body: { messages: MessageBody[] } }>(
    "/conversations/:id/messages/bulk",
    {
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        params: idParams,
        body: { type: "object", required: ["messages"], additionalProperties: false, properties: { messages: { type: "array", minItems: 1, maxItems: MAX_BULK_MESSAGES, items: messageSchema } } },
      },
    },
    async (request, reply) => {
      const conversationId = request.params.id;
      await request.db.selectFrom("conversations").select("id").where("id", "=", conversationId).forShare().executeTakeFirstOrThrow(); // 404; kept until commit
      const { inserted, statements } = await request.db.insertMany(
        "messages",
        request.body.messages.map((message) => ({ ...message, conversation_id: conversationId })),
      );
      return reply.code(201).send({ inserted, statements });
    },
  );

  app.get<{ Params: IdParams }>("/messages/:id", { config: readOnly, schema: { params: idParams } }, (request) =>
    request.db.selectFrom("messages").selectAll().where("id", "=", request.params.id).executeTakeFirstOrThrow(),
  );

  app.patch<{ Params: IdParams; Body: Partial<MessageBody> }>(
    "/messages/:id",
    { schema: { params: idParams, body: { type: "object", minProperties: 1, additionalProperties: false, properties: messageProperties } } },
    (request) => request.db.updateTable("messages").set(request.body).where("id", "=", request.params.id).returningAll().executeTakeFirstOrThrow(),
  );

  app.delete<{ Params: IdParams }>("/messages/:id", { schema: { params: idParams } }, async (request, reply) => {
    await request.db.deleteFrom("messages").where("id", "=", request.params.id).returning("id").executeTakeFirstOrThrow();
    return reply.code(204).send();
  });
}
