import type { FastifyInstance } from "fastify";
import { paginate } from "athanor";
import { pageBody, pageQuery, readOnly, type PageQuery } from "./route-schemas.js";

interface PersonaBody {
  name: string;
  template: string;
  description?: string | null;
  mode?: string | null;
  loop_frequency?: string | null;
  first_message?: string | null;
  image_path?: string | null;
  is_active?: boolean;
}

/**
 * Personas (seed 003): the characters conversations are held with.
 *
 * @example
 * ```ts
 * app.register(personaRoutes, { prefix: "/api" });
 * ```
 */
export async function personaRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: PersonaBody }>(
    "/personas",
    {
      schema: {
        body: {
          type: "object",
          required: ["name", "template"],
          additionalProperties: false,
          properties: {
            name: { type: "string", minLength: 1, maxLength: 255 },
            template: { type: "string" },
            description: { type: ["string", "null"] },
            mode: { type: ["string", "null"], maxLength: 50 },
            loop_frequency: { type: ["string", "null"], maxLength: 50 },
            first_message: { type: ["string", "null"] },
            image_path: { type: ["string", "null"], maxLength: 500 },
            is_active: { type: "boolean" },
          },
        },
      },
    },
    async (request, reply) => reply.code(201).send(await request.db.insertInto("personas").values(request.body).returningAll().executeTakeFirstOrThrow()),
  );

  app.get<{ Querystring: PageQuery }>("/personas", { config: readOnly, schema: { querystring: pageQuery } }, async (request) =>
    pageBody(await paginate(request.db.selectFrom("personas").selectAll().orderBy("name").orderBy("id"), { page: request.query.page, perPage: request.query.per_page })),
  );
}
