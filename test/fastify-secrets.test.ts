import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { buildTestApp, createItemsTables, itemsDb } from "./support/fastify-app.js";

const PASSWORD = "Pw-Secret-4242";
const SECRET = "secret-param-7f3a91";

/** The test server trusts local connections, so a password in the URL is accepted and ignored. */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  return parsed.toString();
}

// No answer carries the statement, its parameters or connection secrets: the database's own
// messages quote them (`invalid input syntax for type integer: "…"`, `Key (name)=(…)`, `syntax
// error at or near "…"`), and a failed connection's message could hold the URL.
describeEachDialect("athanor/fastify: no secret in any answer", (dialect) => {
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    engine = createEngine(dialect.isServer ? withPassword(dialect.url()) : dialect.url(), { logParameters: true });
    await createItemsTables(engine);
    await sql`insert into items (id, name, qty) values (1, ${SECRET}, 1)`.execute(engine.db);
    app = buildTestApp({ engine, health: true }, (api) => {
      api.get("/by-id/:id", (request) => sql`select * from items where id = ${(request.params as { id: string }).id}`.execute(itemsDb(request)));
      api.post("/duplicate", async (request) => {
        await itemsDb(request).insertInto("items").values({ id: 2, name: SECRET, qty: 1 }).execute();
        return { ok: true };
      });
      api.post("/negative", async (request) => {
        await itemsDb(request).insertInto("items").values({ id: 3, name: `${SECRET}-3`, qty: -1 }).execute();
        return { ok: true };
      });
      api.get("/syntax", (request) => sql`selec ${SECRET} from items`.execute(itemsDb(request)));
      api.get("/missing-table", (request) => sql`select ${SECRET} from no_such_table`.execute(itemsDb(request)));
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await engine.dispose();
  });

  it.each([
    ["GET", `/by-id/${SECRET}`],
    ["POST", "/duplicate"],
    ["POST", "/negative"],
    ["GET", "/syntax"],
    ["GET", "/missing-table"],
    ["GET", "/health"],
    ["GET", "/health/ready"],
  ])("%s %s", async (method, url) => {
    const response = await app.inject({ method: method as "GET" | "POST", url });
    // SQLite compares the text with an integer column and finds nothing (200); PostgreSQL refuses it.
    if (!url.startsWith("/health") && (dialect.isPostgres || !url.startsWith("/by-id"))) expect(response.statusCode).toBeGreaterThanOrEqual(400);
    for (const secret of [PASSWORD, SECRET, "selec ", "from items", "no_such_table", "insert into", engine.url.toString()]) {
      expect(response.body, `${url} → ${response.body}`).not.toContain(secret);
    }
  });

  it.runIf(dialect.isServer)("(the engine really had the password, and the database really quoted the secret)", async () => {
    expect(engine.url.toString()).not.toContain(PASSWORD); // masked when rendered
    const error = await sql`select * from items where id = ${SECRET}`.execute(engine.db).catch((caught: Error) => caught);
    expect((error as Error).message).toContain(SECRET);
  });
});
