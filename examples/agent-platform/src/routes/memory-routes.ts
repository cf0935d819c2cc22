import type { FastifyInstance } from "fastify";
import { nearest } from "athanor/schema";
import { ApiError } from "../api-error.js";
import { conversationMemory, EMBEDDING_DIMENSIONS } from "../schema.js";
import type { Embedder } from "../services/embed-text.js";
import { idParams, type IdParams } from "./route-schemas.js";

/** Options of {@link memoryRoutes}. */
export interface MemoryRoutesOptions {
  /** Embeds memories given without an embedding, and text queries. */
  readonly embedder: Embedder;
}

interface MemoryBody {
  content: string;
  memory_type?: string | null;
  importance?: number;
  embedding?: number[];
  persona_id?: string | null;
  first_message_id?: string | null;
  metadata?: Record<string, unknown> | null;
}

const embedding = { type: "array", items: { type: "number" } } as const;

/**
 * A conversation's episodic memory (seed 003's conversation_memory): store a memory (its
 * embedding given, or computed by the injected embedder), and search by nearest neighbour
 * (cosine distance; pgvector's operator when installed, the same arithmetic on `real[]` and
 * on SQLite otherwise). A search counts as an access of what it found (access_count,
 * last_accessed), as seed 003's importance decay uses them.
 *
 * @example
 * ```ts
 * app.register(memoryRoutes, { prefix: "/api", embedder: embedText });
 * ```
 */
export async function memoryRoutes(app: FastifyInstance, options: MemoryRoutesOptions): Promise<void> {
  const { embedder } = options;

  app.post<{ Params: IdParams; Body: MemoryBody }>(
    "/conversations/:id/memories",
    {
      schema: {
        params: idParams,
        body: {
          type: "object",
          required: ["content"],
          additionalProperties: false,
          properties: {
            content: { type: "string", minLength: 1 },
            memory_type: { type: ["string", "null"], maxLength: 50 },
            importance: { type: "number", minimum: 0, maximum: 1 },
            embedding,
            persona_id: { type: ["string", "null"], format: "uuid" },
            first_message_id: { type: ["string", "null"], format: "uuid" },
            metadata: { type: ["object", "null"] },
          },
        },
      },
    },
    async (request, reply) => {
      const vector = request.body.embedding ?? embedder(request.body.content);
      checkDimensions(vector);
      const memory = await request.db
        .insertInto("conversation_memory")
        .values({ ...request.body, conversation_id: request.params.id, embedding: vector })
        .returning(["id", "conversation_id", "content", "memory_type", "importance", "access_count", "created_at"])
        .executeTakeFirstOrThrow(); // an unknown conversation: 409 (foreign key)
      return reply.code(201).send(memory);
    },
  );

  app.post<{ Params: IdParams; Body: { query?: string; embedding?: number[]; limit?: number } }>(
    "/conversations/:id/memories/search",
    {
      schema: {
        params: idParams,
        body: {
          type: "object",
          additionalProperties: false,
          properties: { query: { type: "string", minLength: 1 }, embedding, limit: { type: "integer", minimum: 1, maximum: 50, default: 5 } },
        },
      },
    },
    async (request) => {
      const { query, limit = 5 } = request.body;
      if ((query === undefined) === (request.body.embedding === undefined)) throw new ApiError(400, "INVALID_SEARCH", "give either query (text) or embedding");
      const vector = request.body.embedding ?? embedder(query!);
      checkDimensions(vector);
      // Every column but the 1,536-number embedding, which the client does not need back.
      const results = await nearest(request.db, conversationMemory.embedding, vector, { metric: "cosine", limit, select: MEMORY_FIELDS })
        .where("conversation_id", "=", request.params.id)
        .execute();
      const accessedAt = new Date();
      if (results.length > 0) {
        await request.db
          .updateTable("conversation_memory")
          .set((eb) => ({ access_count: eb("access_count", "+", 1), last_accessed: accessedAt }))
          .where(
            "id",
            "in",
            results.map((row) => row.id),
          )
          .execute();
      }
      return { results: results.map((memory) => ({ ...memory, access_count: memory.access_count + 1, last_accessed: accessedAt })) };
    },
  );
}

const MEMORY_FIELDS = [
  "id",
  "conversation_id",
  "persona_id",
  "first_message_id",
  "content",
  "memory_type",
  "importance",
  "metadata",
  "last_accessed",
  "access_count",
  "created_at",
  "updated_at",
] as const;

function checkDimensions(vector: readonly number[]): void {
  if (vector.length !== EMBEDDING_DIMENSIONS) throw new ApiError(400, "INVALID_EMBEDDING", `an embedding has ${EMBEDDING_DIMENSIONS} dimensions, got ${vector.length}`);
}
