import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { buildTestApp, createItemsTables, itemIds, itemsDb } from "./support/fastify-app.js";
import { databaseOf, suiteAdmin, withApplicationName } from "./support/postgres-admin.js";

const REQUESTS = 1_000;

/** A fixed pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

describeEachDialect("athanor/fastify: 1,000 concurrent requests with random failures", (dialect) => {
  const admin = suiteAdmin({ isPostgres: dialect.isServer }); // pg_stat_activity: a server's backends
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    engine = createEngine(dialect.isServer ? withApplicationName(dialect.url(), "fastify-concurrency") : dialect.url(), { pool: { size: 10, maxOverflow: 10 } });
    await createItemsTables(engine);
    app = buildTestApp({ engine }, (api) => {
      api.post("/items/:id/:kind", async (request, reply) => {
        const { id, kind } = request.params as { id: string; kind: string };
        const row = { id: Number(id), name: `item ${id}`, qty: 1 };
        const pause = Number(id) % 3; // a few milliseconds between steps, so requests interleave
        if (kind === "throw-early") throw new Error("before the database");
        if (kind === "read") return itemsDb(request).selectFrom("items").select("id").where("id", "=", row.id).execute();
        await itemsDb(request).insertInto("items").values(row).execute();
        await sleep(pause);
        switch (kind) {
          case "commit":
            return reply.code(201).send({ id: row.id });
          case "throw":
            throw new Error("after a write");
          case "conflict":
            return reply.code(409).send({ conflict: true });
          case "send-then-return":
            void reply.send({ id: row.id });
            await sleep(pause);
            return reply;
          default:
            await itemsDb(request).insertInto("items").values(row).execute(); // a duplicate: 409 UNIQUE_VIOLATION
            return { unreachable: true };
        }
      });
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await engine.dispose();
  });

  it("every session ends: the pool is idle, no backend is left idle in transaction, exactly the committed rows exist", async () => {
    const next = random(dialect.name.length * 7919);
    const kinds = ["commit", "throw", "conflict", "throw-early", "read", "send-then-return", "duplicate"] as const;
    const planned = Array.from({ length: REQUESTS }, (_, index) => ({ id: index + 1, kind: kinds[Math.floor(next() * kinds.length)]! }));
    const responses = await Promise.all(planned.map(({ id, kind }) => app.inject({ method: "POST", url: `/items/${id}/${kind}` })));

    const expectedStatus = { commit: 201, throw: 500, conflict: 409, "throw-early": 500, read: 200, "send-then-return": 200, duplicate: 409 };
    expect(responses.map((response, index) => `${planned[index]!.kind} ${response.statusCode}`)).toEqual(planned.map(({ kind }) => `${kind} ${expectedStatus[kind]}`));
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0 });
    const committed = planned.filter(({ kind }) => kind === "commit" || kind === "send-then-return").map(({ id }) => id);
    expect(await itemIds(engine)).toEqual(committed);
    const postgres = admin();
    if (postgres !== undefined) {
      const rows = await postgres.query(
        "select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'fastify-concurrency' and state like 'idle in transaction%'",
        [databaseOf(dialect.url())],
      );
      expect(rows[0].n).toBe(0);
    }
    await sql`delete from items`.execute(engine.db);
  }, 120_000);
});
