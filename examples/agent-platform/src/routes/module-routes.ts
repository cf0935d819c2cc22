import type { FastifyInstance } from "fastify";
import { paginate } from "athanor";
import { pageBody, pageQuery, readOnly, type PageQuery } from "./route-schemas.js";

const CONTEXTS = ["IMMEDIATE", "POST_RESPONSE", "ON_DEMAND"] as const;

interface ModuleBody {
  name: string;
  type: string;
  description?: string | null;
  content?: string | null;
  trigger_pattern?: string | null;
  script?: string | null;
  execution_context?: (typeof CONTEXTS)[number] | null;
  requires_ai_inference?: boolean;
  stage_priority?: number;
  is_active?: boolean;
}

/**
 * Modules (seed 003): the cognitive engine's steps; listed in stage order.
 *
 * @example
 * ```ts
 * app.register(moduleRoutes, { prefix: "/api" });
 * ```
 */
export async function moduleRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: ModuleBody }>(
    "/modules",
    {
      schema: {
        body: {
          type: "object",
          required: ["name", "type"],
          additionalProperties: false,
          properties: {
            name: { type: "string", minLength: 1, maxLength: 255 },
            type: { type: "string", minLength: 1, maxLength: 50 },
            description: { type: ["string", "null"] },
            content: { type: ["string", "null"] },
            trigger_pattern: { type: ["string", "null"], maxLength: 500 },
            script: { type: ["string", "null"] },
            execution_context: { type: ["string", "null"], enum: [...CONTEXTS, null] },
            requires_ai_inference: { type: "boolean" },
            stage_priority: { type: "integer" },
            is_active: { type: "boolean" },
          },
        },
      },
    },
    async (request, reply) => reply.code(201).send(await request.db.insertInto("modules").values(request.body).returningAll().executeTakeFirstOrThrow()),
  );

  app.get<{ Querystring: PageQuery }>("/modules", { config: readOnly, schema: { querystring: pageQuery } }, async (request) =>
    pageBody(await paginate(request.db.selectFrom("modules").selectAll().orderBy("stage_priority").orderBy("id"), { page: request.query.page, perPage: request.query.per_page })),
  );
}
