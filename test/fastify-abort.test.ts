import http from "node:http";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, type Deferred } from "./support/engines.js";
import { buildTestApp, createItemsTables, itemIds, itemsDb } from "./support/fastify-app.js";
import { databaseOf, suiteAdmin, withApplicationName } from "./support/postgres-admin.js";
import { waitUntil } from "./support/wait-until.js";

// Real HTTP on loopback: a client that goes away mid-request, and a server connectionTimeout.
// The session must end (rolled back) and give its connection back, once the handler returns.
describeEachDialect("athanor/fastify: aborted requests", (dialect) => {
  const admin = suiteAdmin({ isPostgres: dialect.isServer }); // pg_stat_activity: a server's backends
  let engine: Engine;
  let app: FastifyInstance;
  let origin: string;
  let entered: Deferred;
  let release: Deferred;
  let finished: Deferred<string>;
  beforeAll(async () => {
    engine = createEngine(dialect.isServer ? withApplicationName(dialect.url(), "fastify-abort") : dialect.url());
    await createItemsTables(engine);
  });
  afterAll(() => engine.dispose());
  beforeEach(async () => {
    await sql`delete from items`.execute(engine.db);
    entered = deferred();
    release = deferred();
    finished = deferred<string>();
  });
  afterEach(() => app.close());

  const start = async (server: Parameters<typeof buildTestApp>[2] = {}) => {
    app = buildTestApp(
      { engine },
      (api) => {
        const slow = async (request: Parameters<typeof itemsDb>[0]) => {
          await itemsDb(request).insertInto("items").values({ id: 1, name: "one", qty: 1 }).execute();
          entered.resolve();
          await release.promise;
          try {
            await itemsDb(request).insertInto("items").values({ id: 2, name: "two", qty: 1 }).execute();
            finished.resolve("second statement ran");
          } catch (error) {
            finished.resolve((error as { code?: string }).code ?? String(error));
          }
          return { ok: true };
        };
        api.get("/slow", slow);
        api.post("/slow", slow);
      },
      server,
    );
    origin = await app.listen({ port: 0, host: "127.0.0.1" });
  };

  const serverSeesNoConnection = () =>
    waitUntil("the server to see the connection closed", () => new Promise<boolean>((resolve) => app.server.getConnections((_, count) => resolve(count === 0))));

  const expectNothingLeft = async () => {
    await waitUntil("the session to end", () => engine.pool.status().checkedOut === 0);
    expect(await itemIds(engine)).toEqual([]);
    const postgres = admin();
    if (postgres !== undefined) {
      const open = await postgres.query("select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'fastify-abort' and state like 'idle in transaction%'", [databaseOf(dialect.url())]);
      expect(open[0].n).toBe(0);
    }
  };

  it.each(["GET", "POST"])("a client that disconnects mid-request (%s): rolled back once the handler returns, nothing checked out", async (method) => {
    await start();
    const request = http.request(`${origin}/slow`, { method, headers: { "content-type": "application/json" } });
    request.on("error", () => undefined);
    request.end(method === "POST" ? JSON.stringify({ a: 1 }) : undefined);
    await entered.promise;
    request.destroy();
    await serverSeesNoConnection();
    release.resolve();
    // The handler finishes its own work (its session is still its own), then everything is rolled back.
    await finished.promise;
    await expectNothingLeft();
  });

  it("connectionTimeout closes the socket: rolled back, nothing checked out", async () => {
    await start({ connectionTimeout: 150 });
    const request = http.get(`${origin}/slow`);
    request.on("error", () => undefined);
    await entered.promise;
    await new Promise((resolve) => request.once("close", resolve));
    await serverSeesNoConnection();
    release.resolve();
    await finished.promise;
    await expectNothingLeft();
  });
});
