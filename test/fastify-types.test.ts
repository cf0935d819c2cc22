import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { describe, expectTypeOf, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import type { Session } from "../src/session/session.js";
import type { SessionFactory } from "../src/session/session-factory.js";
import { athanorPlugin, type AthanorRouteConfig, type RegisteredDatabase } from "../src/integrations/fastify/index.js";
import { schema, type DB } from "../examples/docs/fastify-schema.js";

// Checked by the typecheck (npm run typecheck), not at run time: the repository's program
// registers the docs examples' database (examples/docs/fastify-schema.ts), as an application
// registers its own, and request.db is typed by it with no cast.
describe("athanor/fastify types", () => {
  it("types request.db, app.athanor and route config from the registered database", () => {
    expectTypeOf<RegisteredDatabase>().toEqualTypeOf<DB>();
    expectTypeOf<FastifyRequest["db"]>().toEqualTypeOf<Session<DB>>();
    expectTypeOf<FastifyInstance["athanor"]["sessions"]>().toEqualTypeOf<SessionFactory<DB>>();
    expectTypeOf<FastifyInstance["athanor"]["engine"]>().toEqualTypeOf<Engine<DB>>();
    const app = Fastify();
    app.get<{ Params: { id: string } }>("/agents/:id", { config: { athanor: { readOnly: true, isolationLevel: "serializable", retry: { maxAttempts: 2 } } } }, async (request) => {
      const agent = await request.db.selectFrom("agents").select(["id", "name"]).where("id", "=", request.params.id).executeTakeFirstOrThrow();
      expectTypeOf(agent).toEqualTypeOf<{ id: string; name: string }>();
      // @ts-expect-error: "nope" is not a table of the registered database
      void request.db.selectFrom("nope");
      return agent;
    });
    // @ts-expect-error: config.athanor takes the documented keys only
    const typo: AthanorRouteConfig = { readonly: true };
    void typo;
  });

  it("the plugin's options take an engine of the registered database, and refuse another", () => {
    const engine = createEngine("sqlite::memory:", { schema });
    void Fastify().register(athanorPlugin, { engine });
    const other = createEngine<{ other: { id: number } }>("sqlite::memory:");
    // @ts-expect-error: an engine of another database than the registered one
    void Fastify().register(athanorPlugin, { engine: other });
    void engine.dispose();
    void other.dispose();
  });
});
