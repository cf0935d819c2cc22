import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { buildTestApp, createItemsTables, itemsDb } from "./support/fastify-app.js";

// A constraint checked at COMMIT (DEFERRABLE INITIALLY DEFERRED: a foreign key on SQLite and
// PostgreSQL, a unique constraint on PostgreSQL) makes the commit itself fail after the handler
// returned 201. The client must get the error, never a success for data that is not there.
describeEachDialect("athanor/fastify: a failed commit is answered as an error", (dialect) => {
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    engine = createEngine(dialect.url());
    await createItemsTables(engine);
    if (dialect.isPostgres) {
      await sql`drop table if exists tickets`.execute(engine.db);
      await sql`create table tickets (id integer primary key, code text not null constraint tickets_code_key unique deferrable initially deferred)`.execute(engine.db);
    }
  });
  afterAll(() => engine.dispose());
  beforeEach(() => {
    app = buildTestApp({ engine }, (api) => {
      api.post("/children/:itemId", async (request, reply) => {
        const itemId = Number((request.params as { itemId: string }).itemId);
        const child = await itemsDb(request).insertInto("children").values({ item_id: itemId }).returning("id").executeTakeFirstOrThrow();
        itemsDb(request).afterCommit(() => void hooks.push(`committed ${child.id}`));
        return reply.code(201).send(child);
      });
      api.post("/tickets", async (request, reply) => {
        const db = request.db as never as Engine["db"];
        await db.insertInto("tickets").values({ id: 1, code: "A" }).execute();
        await db.insertInto("tickets").values({ id: 2, code: "A" }).execute(); // a duplicate, checked at COMMIT
        return reply.code(201).send({ ok: true });
      });
    });
  });
  const hooks: string[] = [];
  afterEach(async () => {
    await app.close();
    hooks.length = 0;
    await sql`delete from children`.execute(engine.db);
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0 });
  });

  it("a deferred foreign key failing at COMMIT: 409, nothing written, no afterCommit hook", async () => {
    const response = await app.inject({ method: "POST", url: "/children/404" });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ statusCode: 409, code: "FOREIGN_KEY_VIOLATION", error: "Conflict" });
    if (dialect.isPostgres) expect(response.json()).toMatchObject({ constraint: "children_item_fk" });
    expect(await engine.db.selectFrom("children" as never).selectAll().execute()).toEqual([]);
    expect(hooks).toEqual([]);
  });

  it("the same route commits when the constraint holds", async () => {
    await sql`insert into items (id, name, qty) values (1, 'one', 1)`.execute(engine.db);
    const response = await app.inject({ method: "POST", url: "/children/1" });
    expect(response.statusCode).toBe(201);
    expect(hooks).toEqual([`committed ${response.json().id}`]);
    await sql`delete from children`.execute(engine.db);
    await sql`delete from items`.execute(engine.db);
  });

  it.runIf(dialect.isPostgres)("a deferred unique constraint failing at COMMIT: 409 with the constraint's name", async () => {
    const response = await app.inject({ method: "POST", url: "/tickets" });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ statusCode: 409, code: "UNIQUE_VIOLATION", error: "Conflict", message: "a row with the same unique value already exists", constraint: "tickets_code_key" });
    expect(await engine.db.selectFrom("tickets" as never).selectAll().execute()).toEqual([]);
  });
});
