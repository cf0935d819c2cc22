import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { createMigrator } from "../src/migrate/migrator.js";
import type { RevisionScript } from "../src/migrate/revision-script.js";
import { createSessionFactory } from "../src/session/session-factory.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { buildTestApp, itemsDb } from "./support/fastify-app.js";
import { waitUntil } from "./support/wait-until.js";

/** One revision that creates a table: the readiness check wants the database at its head. */
const SCRIPTS: RevisionScript[] = [
  {
    revision: "5d1c0a7e9b2f",
    downRevision: null,
    message: "create notes",
    path: "5d1c0a7e9b2f_create_notes.ts",
    checksum: "0".repeat(64),
    transactional: true,
    up: async (op) => op.createTable("notes", { columns: [{ name: "id", type: "integer", nullable: false }], primaryKey: ["id"] }),
    down: async (op) => op.dropTable("notes"),
  },
];

describeEachDialect("athanor/fastify: health and readiness routes", (dialect) => {
  let app: FastifyInstance | undefined;
  const engines: Engine[] = [];
  const open = (url: string, options: Parameters<typeof createEngine>[1] = {}) => {
    const engine = createEngine(url, options);
    engines.push(engine);
    return engine;
  };
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
  });

  it("GET /health: 200 with the engine's report (seed 003's shape, latency, pool)", async () => {
    const engine = open(dialect.url());
    app = buildTestApp({ engine, health: true }, () => undefined);
    const response = await app.inject("/health");
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: "ok",
      message: "connected",
      dialect: dialect.isPostgres ? "postgres" : "sqlite",
      version: expect.any(String),
      latencyMillis: expect.any(Number),
      pool: { size: expect.any(Number), checkedOut: 0, waiting: 0 },
    });
    expect(Object.keys(response.json())).toEqual(expect.arrayContaining(["database", "host", "port"]));
  });

  it("GET /health/ready: 503 while the database is behind the migrations' head, 200 once upgraded", async () => {
    const engine = open(await dialect.freshUrl());
    app = buildTestApp({ engine, health: { migrations: SCRIPTS } }, () => undefined);
    const behind = await app.inject("/health/ready");
    expect(behind.statusCode).toBe(503);
    expect(behind.json()).toMatchObject({
      status: "not ready",
      database: { ok: true },
      pool: { ok: true },
      migrations: { ok: false, heads: [], scriptHeads: ["5d1c0a7e9b2f"], message: "at <base>, the migrations' head is 5d1c0a7e9b2f" },
    });
    const result = await createMigrator(engine, { scripts: SCRIPTS }).upgrade();
    expect(result.ok).toBe(true);
    const ready = await app.inject("/health/ready");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "ready", migrations: { ok: true, message: "at head", heads: ["5d1c0a7e9b2f"] } });
  });

  it("GET /health/ready: 200 without migrations to check (migrations: null); paths are configurable", async () => {
    const engine = open(dialect.url());
    app = buildTestApp({ engine, health: { path: "/live", readyPath: "/ready" } }, () => undefined);
    expect((await app.inject("/live")).statusCode).toBe(200);
    const ready = await app.inject("/ready");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "ready", migrations: null });
    expect((await app.inject("/health")).statusCode).toBe(404);
  });

  it("GET /health/ready: 503 while callers wait for a connection (the pool is saturated)", async () => {
    const engine = open(dialect.url(), { pool: { size: 1, maxOverflow: 0, acquireTimeoutMillis: 5_000 }, healthCheckTimeoutMillis: 200 });
    await sql`create table if not exists items (id integer primary key, name text not null, qty integer not null)`.execute(engine.db);
    app = buildTestApp({ engine, health: true }, () => undefined);
    const sessions = createSessionFactory(engine);
    const holder = sessions.open();
    await sql`insert into items (id, name, qty) values (900, 'held', 1)`.execute(holder);
    const waiter = sessions.run((db) => sql`insert into items (id, name, qty) values (901, 'waiting', 1)`.execute(db));
    await waitUntil("a caller to wait for the connection", () => engine.pool.status().waiting > 0);
    const saturated = await app.inject("/health/ready");
    expect(saturated.statusCode).toBe(503);
    expect(saturated.json().pool).toMatchObject({ ok: false, message: expect.stringMatching(/^saturated: \d+ caller\(s\) waiting/) });
    await holder.close();
    await waiter;
    await sql`delete from items where id = 901`.execute(engine.db);
    expect((await app.inject("/health/ready")).statusCode).toBe(200);
  });
});

describe("athanor/fastify: the database is down", () => {
  const PASSWORD = "Sup3r-Secret-Pw";
  let app: FastifyInstance;
  afterEach(() => app.close());

  it.each([
    ["PostgreSQL on a closed port", `postgres://athanor:${PASSWORD}@127.0.0.1:1/app`],
    ["SQLite on a path that cannot be created", "sqlite:/dev/null/athanor/app.db"],
  ])("%s: /health 200 reporting the error, /health/ready 503, a request that needs it 503 with Retry-After", async (_, url) => {
    app = buildTestApp({ url, engineOptions: { healthCheckTimeoutMillis: 2_000, pool: { acquireTimeoutMillis: 2_000 } }, health: { migrations: SCRIPTS } }, (api) =>
      api.get("/items", (request) => itemsDb(request).selectFrom("items").selectAll().execute()),
    );
    const live = await app.inject("/health");
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ status: "error", version: null });
    const ready = await app.inject("/health/ready");
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: "not ready", database: { ok: false }, migrations: { ok: false, message: "not checked: the database is unreachable" } });
    const request = await app.inject("/items");
    expect(request.statusCode).toBe(503);
    expect(request.headers["retry-after"]).toBe("1");
    expect(request.json()).toMatchObject({ code: "CONNECTION_FAILED" });
    for (const response of [live, ready, request]) expect(response.body).not.toContain(PASSWORD);
  });
});
