/**
 * `postgres.pipeline`: what is pipelined and what is not, and what sharing a connection
 * means when something goes wrong. The behavioural suites run pipelined in
 * postgres-pipeline-suites.test.ts; this file proves the routing and the failure modes.
 */
import { sql, type Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { createEngine, createSessionFactory, type Engine } from "../src/index.js";
import type { DisconnectReason } from "../src/engine/engine-events.js";
import { ConfigurationError, ConnectHookError, ConnectionLostError, EngineDisposedError, PoolerIncompatibleError, UniqueViolationError } from "../src/errors.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";
import { rejection } from "./support/engines.js";
import { sleep, waitUntil } from "./support/wait-until.js";

interface Database {
  pipe_items: { id: number; name: string };
}

async function pid(db: Kysely<any>): Promise<number> {
  return (await db.selectNoFrom(sql<number>`pg_backend_pid()`.as("pid")).executeTakeFirstOrThrow()).pid;
}

/** The backend pids `count` concurrent builder reads ran on. */
async function pidsOfConcurrentReads(db: Kysely<any>, count: number): Promise<Set<number>> {
  return new Set(await Promise.all(Array.from({ length: count }, () => pid(db))));
}

describe.skipIf(postgresUnavailable)("PostgreSQL pipelining (postgres.pipeline)", () => {
  const postgres = postgresSuite();

  async function pipelinedEngine(options: Parameters<typeof createEngine>[1] = {}): Promise<Engine<Database>> {
    const engine = postgres.engine(postgres.url(), { pool: { size: 4, maxOverflow: 0 }, ...options, postgres: { pipeline: 2, ...options?.postgres } }) as Engine<Database>;
    await sql`create table if not exists pipe_items (id integer primary key, name text not null)`.execute(engine.db);
    await sql`truncate pipe_items`.execute(engine.db);
    return engine;
  }

  it("sends concurrent builder statements over at most `pipeline` connections, none checked out of the pool", async () => {
    const engine = await pipelinedEngine();
    let peakCheckedOut = 0;
    engine.on("checkout", () => {
      peakCheckedOut = Math.max(peakCheckedOut, engine.pool.status().checkedOut);
    });
    const checkoutsBefore = engine.pool.status().checkedOut;
    await Promise.all(Array.from({ length: 100 }, (_, id) => engine.db.insertInto("pipe_items").values({ id, name: `item ${id}` }).execute()));
    const pids = await pidsOfConcurrentReads(engine.db, 64);
    const rows = await Promise.all(Array.from({ length: 100 }, (_, id) => engine.db.selectFrom("pipe_items").selectAll().where("id", "=", id).executeTakeFirstOrThrow()));

    expect(rows).toEqual(Array.from({ length: 100 }, (_, id) => ({ id, name: `item ${id}` })));
    expect(pids.size).toBe(2);
    expect(checkoutsBefore).toBe(0);
    expect(peakCheckedOut).toBe(0);
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, pipelineConnections: 2, pipelined: 0 });
  });

  it("opens a second connection only when the first is busy: sequential statements share one", async () => {
    const engine = await pipelinedEngine();
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) pids.add(await pid(engine.db));
    expect(pids.size).toBe(1);
    expect(engine.pool.status().pipelineConnections).toBe(1);
  });

  it("keeps transactions, sessions, db.connection(), raw SQL and derived handles where they belong", async () => {
    const engine = await pipelinedEngine();
    const pipelined = await pidsOfConcurrentReads(engine.db, 16);
    const sessions = createSessionFactory(engine);

    const inTransaction = await engine.db.transaction().execute(async (tx) => [await pid(tx), await pid(tx)]);
    const inSession = await sessions.run(async (db) => [await pid(db), await pid(db)]);
    const onConnection = await engine.db.connection().execute(async (db) => {
      await sql`create temp table pipe_scratch (x integer)`.execute(db);
      await db.insertInto("pipe_scratch" as any).values({ x: 1 }).execute();
      const seen = await db.selectFrom("pipe_scratch" as any).selectAll().execute();
      return { pids: [await pid(db), await pid(db)], seen: seen.length };
    });
    const raw = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(engine.db)).rows[0]!.pid;

    for (const pair of [inTransaction, inSession, onConnection.pids]) {
      expect(pair[0]).toBe(pair[1]);
      expect(pipelined.has(pair[0]!)).toBe(false);
    }
    expect(onConnection.seen).toBe(1);
    expect(pipelined.has(raw)).toBe(false);
    // withSchema / withPlugin keep the route.
    expect(pipelined.has(await pid(engine.db.withSchema("public")))).toBe(true);
  });

  it("a raw BEGIN on engine.db cannot open a transaction on a shared connection", async () => {
    const engine = await pipelinedEngine();
    await sql`begin`.execute(engine.db);
    await engine.db.insertInto("pipe_items").values({ id: 1, name: "after a stray begin" }).execute();
    // Seen from another engine: the insert committed on its own.
    const other = postgres.engine(postgres.url());
    expect(await other.db.selectFrom("pipe_items" as any).select("name").execute()).toEqual([{ name: "after a stray begin" }]);
  });

  it("a failing statement fails alone, with the same error fields as on the pool", async () => {
    const engine = await pipelinedEngine();
    await engine.db.insertInto("pipe_items").values({ id: 1, name: "first" }).execute();
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => engine.db.insertInto("pipe_items").values({ id: i % 2 === 0 ? 1 : 100 + i, name: `n${i}` }).execute()));

    const failures = results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason as UniqueViolationError);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(10);
    expect(failures).toHaveLength(10);
    const pooled = postgres.engine(postgres.url());
    const onPool = await rejection(pooled.db.insertInto("pipe_items" as any).values({ id: 1, name: "again" }).execute());
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(UniqueViolationError);
      expect({ code: failure.code, table: failure.table, columns: failure.columns, constraint: failure.constraint }).toEqual({
        code: (onPool as UniqueViolationError).code,
        table: (onPool as UniqueViolationError).table,
        columns: (onPool as UniqueViolationError).columns,
        constraint: (onPool as UniqueViolationError).constraint,
      });
    }
    const { n } = await engine.db.selectFrom("pipe_items").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(11);
  });

  it("re-prepares a cached statement whose result columns changed, as the pool does", async () => {
    const engine = await pipelinedEngine();
    await engine.db.insertInto("pipe_items").values({ id: 1, name: "one" }).execute();
    expect(await engine.db.selectFrom("pipe_items").selectAll().execute()).toEqual([{ id: 1, name: "one" }]);
    await sql`alter table pipe_items add column note text`.execute(engine.db);
    try {
      expect(await engine.db.selectFrom("pipe_items").selectAll().execute()).toEqual([{ id: 1, name: "one", note: null }]);
    } finally {
      await sql`alter table pipe_items drop column note`.execute(engine.db);
    }
  });

  it("a lost connection fails what was in flight on it with ConnectionLostError; the next statement reconnects", async () => {
    const engine = await pipelinedEngine({ postgres: { pipeline: 1 } });
    const reasons: DisconnectReason[] = [];
    engine.on("disconnect", ({ reason }) => reasons.push(reason));
    const victim = await pid(engine.db);
    const slow = rejection(engine.db.selectNoFrom(sql<number>`pg_sleep(5)`.as("slept")).execute());
    const behind = rejection(engine.db.selectNoFrom(sql<number>`1`.as("one")).execute());
    await sleep(100);
    const admin = postgres.engine(postgres.url());
    await sql`select pg_terminate_backend(${victim})`.execute(admin.db);

    expect(await slow).toBeInstanceOf(ConnectionLostError);
    expect(await behind).toBeInstanceOf(ConnectionLostError);
    const replacement = await pid(engine.db);
    expect(replacement).not.toBe(victim);
    await waitUntil("the lost connection's disconnect event", () => reasons.length === 1);
    expect(reasons).toEqual(["error"]);
  });

  it("queryTimeoutMillis destroys a silent connection: what queued behind the slow statement fails with it (head-of-line blocking)", async () => {
    const engine = await pipelinedEngine({ postgres: { pipeline: 1, queryTimeoutMillis: 300 } });
    const first = await pid(engine.db);
    const slow = rejection(engine.db.selectNoFrom(sql<number>`pg_sleep(2)`.as("slept")).execute());
    const behind = rejection(engine.db.selectNoFrom(sql<number>`2`.as("two")).execute());
    expect(await slow).toBeInstanceOf(ConnectionLostError);
    expect(await behind).toBeInstanceOf(ConnectionLostError);
    expect(await pid(engine.db)).not.toBe(first);
  });

  it("recycles a pipelined connection older than recycleMillis", async () => {
    const engine = await pipelinedEngine({ pool: { size: 2, recycleMillis: 150 }, postgres: { pipeline: 1 } });
    const reasons: DisconnectReason[] = [];
    engine.on("disconnect", ({ reason }) => reasons.push(reason));
    const first = await pid(engine.db);
    await sleep(200);
    expect(await pid(engine.db)).not.toBe(first);
    await waitUntil("the recycled connection's disconnect event", () => reasons.includes("recycle"));
  });

  it("runs postgres.onConnect on every pipelined connection; a failing hook is a ConnectHookError and nothing stays open", async () => {
    const engine = await pipelinedEngine({
      postgres: { pipeline: 2, onConnect: async (client) => void (await client.query("set statement_timeout = 4321")) },
    });
    const settings = await Promise.all(Array.from({ length: 8 }, () => engine.db.selectNoFrom(sql<string>`current_setting('statement_timeout')`.as("t")).executeTakeFirstOrThrow()));
    expect(new Set(settings.map((row) => row.t))).toEqual(new Set(["4321ms"]));

    const failing = postgres.engine(postgres.url(), { postgres: { pipeline: 1, onConnect: () => Promise.reject(new Error("hook down")) } });
    expect(await rejection(failing.db.selectNoFrom(sql<number>`1`.as("one")).execute())).toBeInstanceOf(ConnectHookError);
    await waitUntil("the failed connection to close", () => failing.pool.status().pipelineConnections === 0);
  });

  it("dispose lets statements in flight finish, then closes the pipelined connections; later statements fail with EngineDisposedError", async () => {
    const engine = await pipelinedEngine();
    const reasons: DisconnectReason[] = [];
    engine.on("disconnect", ({ reason }) => reasons.push(reason));
    const inFlight = Promise.all(Array.from({ length: 6 }, (_, i) => engine.db.selectNoFrom(sql<number>`(select ${i}::int from pg_sleep(0.2))`.as("n")).executeTakeFirstOrThrow()));
    await sleep(50);
    await engine.dispose();
    expect((await inFlight).map((row) => row.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(engine.pool.status()).toMatchObject({ pipelineConnections: 0, total: 0 });
    expect(reasons.filter((reason) => reason === "dispose").length).toBeGreaterThanOrEqual(2);
    expect(await rejection(engine.db.selectFrom("pipe_items").selectAll().execute())).toBeInstanceOf(EngineDisposedError);
  });

  it("dispose while the pipelined connections are still opening: the statements already accepted are written once they open, and answered", async () => {
    const engine = await pipelinedEngine();
    const inFlight = Promise.all(Array.from({ length: 6 }, (_, i) => engine.db.selectNoFrom(sql<number>`${i}::int`.as("n")).executeTakeFirstOrThrow()));
    // A macrotask: every statement has reached the pipeline, no connection has finished its handshake.
    await sleep(0);
    expect(engine.pool.status().pipelined).toBe(6);
    await engine.dispose();
    expect((await inFlight).map((row) => row.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(engine.pool.status()).toMatchObject({ pipelineConnections: 0, pipelined: 0 });
  });

  it("takes the number of connections from the URL (?pipeline=N), which overrides the option", async () => {
    const engine = postgres.engine(`${postgres.url()}${postgres.url().includes("?") ? "&" : "?"}pipeline=3`, { postgres: { pipeline: 1 } });
    expect(engine.url.pipeline).toBe(3);
    expect(engine.options.postgres.pipeline).toBe(3);
    expect((await pidsOfConcurrentReads(engine.db, 48)).size).toBe(3);
  });

  it("refuses a bad number of connections, and pipelining behind a transaction pooler, before connecting", () => {
    for (const bad of [-1, 1.5, 65, "2"]) {
      expect(() => createEngine(postgres.url(), { postgres: { pipeline: bad as number } })).toThrow(ConfigurationError);
      expect(() => createEngine(postgres.url(), { postgres: { pipeline: bad as number } })).toThrow(/postgres\.pipeline/);
    }
    for (const bad of ["-1", "x", "65", "1.5", ""]) expect(() => createEngine(`postgres://app:s3cret@127.0.0.1/app?pipeline=${bad}`)).toThrow(/pipeline/);
    expect(() => createEngine("postgres://app:s3cret@127.0.0.1/app?pipeline=x")).not.toThrow(/s3cret/);
    expect(() => createEngine(postgres.url(), { postgres: { pipeline: 2, pooler: "transaction" } })).toThrow(PoolerIncompatibleError);
  });
});

