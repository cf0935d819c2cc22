// The application: an app factory that takes its database, a service, routes.
import { Readable } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import type { Session, SessionFactory } from "athanor";
import { athanorPlugin } from "athanor/fastify";
import type { DB } from "./fastify-schema.js";

// #region service
/** A service takes the session factory; a method that joins the caller's unit of work takes its session. */
export class AgentService {
  constructor(private readonly sessions: SessionFactory<DB>) {}

  /** Part of the caller's unit of work (a request's request.db): committed or rolled back with it. */
  async create(db: Session<DB>, ownerId: string, name: string): Promise<{ id: string }> {
    return db.insertInto("agents").values({ ownerId, name, schedule: null }).returning("id").executeTakeFirstOrThrow();
  }

  /** A unit of work of its own (a scheduler's tick, a WebSocket message). */
  pauseAll(ownerId: string): Promise<number> {
    return this.sessions.run(async (db) => {
      const result = await db.updateTable("agents").set({ schedule: null }).where("ownerId", "=", ownerId).executeTakeFirst();
      return Number(result.numUpdatedRows);
    });
  }
}
// #endregion service

// #region app-factory
export interface AppOptions {
  /** The application's factory in production; a test's own (a sandbox) in tests. */
  readonly sessions: SessionFactory<DB>;
}

export function buildApp({ sessions }: AppOptions): FastifyInstance {
  const app = Fastify();
  app.register(athanorPlugin, { sessions, health: true });
  app.register(routes); // after the plugin: its routes get request.db
  return app;
}
// #endregion app-factory

// #region route
async function routes(app: FastifyInstance): Promise<void> {
  const agents = new AgentService(app.athanor.sessions);

  // #region post-users
  app.post<{ Body: { email: string; name: string } }>("/users", async (request, reply) => {
    const user = await request.db.insertInto("users").values(request.body).returning(["id", "email"]).executeTakeFirstOrThrow();
    return reply.code(201).send(user); // committed before this is sent; a duplicate email is a 409
  });
  // #endregion post-users

  app.post<{ Params: { id: string }; Body: { name: string } }>("/users/:id/agents", async (request, reply) => {
    const agent = await agents.create(request.db, request.params.id, request.body.name); // an unknown user is a 409
    return reply.code(201).send(agent);
  });

  app.get<{ Params: { id: string } }>("/agents/:id", { config: { athanor: { readOnly: true } } }, (request) =>
    request.db.selectFrom("agents").selectAll().where("id", "=", request.params.id).executeTakeFirstOrThrow(), // 404 when missing
  );

  app.post<{ Params: { id: string } }>("/users/:id/pause", async (request) => ({ paused: await agents.pauseAll(request.params.id) }));

  // A long export: no transaction held while the client reads; each page autocommits on its own.
  app.get("/agents.ndjson", { config: { athanor: { transaction: false } } }, async (_request, reply) => {
    async function* pages() {
      for (let after = ""; ; ) {
        const page = await app.athanor.db.selectFrom("agents").select(["id", "name"]).where("id", ">", after).orderBy("id").limit(500).execute();
        for (const agent of page) yield `${JSON.stringify(agent)}\n`;
        if (page.length < 500) return;
        after = page.at(-1)!.id;
      }
    }
    return reply.type("application/x-ndjson").send(Readable.from(pages()));
  });
}
// #endregion route
