import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import { DatabaseError, SessionClosedError, TransactionAbortedError, UniqueViolationError } from "../src/errors.js";
import { createSessionFactory } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { FaultProxy } from "./support/fault-proxy.js";
import { databaseOf, suiteAdmin } from "./support/postgres-admin.js";
import { itemNames, resetItems, sessionHarness, type SessionTestDb } from "./support/session-harness.js";

// On PostgreSQL a session's first statement travels with its BEGIN, in one round trip, when it
// goes through the extended protocol (prepared, or with parameters). These tests pin down
// that nothing else changes: failures, settings, close, and the connection given back.
describeEachDialect("a session's first statement", (ctx) => {
  const setup = sessionHarness(ctx);
  const suiteAdminOf = suiteAdmin(ctx);

  async function idleInTransaction(): Promise<number> {
    const admin = suiteAdminOf();
    if (admin === undefined) return 0;
    const backends = await admin.query<{ state: string | null }>("select state from pg_stat_activity where datname = $1 and backend_type = 'client backend'", [
      databaseOf(ctx.url()),
    ]);
    return backends.filter((backend) => backend.state?.startsWith("idle in transaction")).length;
  }

  // Behind PgBouncer (transaction mode) prepareStatements: true is refused by createEngine.
  for (const prepareStatements of ctx.isPgBouncer ? [false] : ctx.isPostgres ? [true, false] : [true]) {
    const variant = ctx.isPostgres ? ` (prepareStatements: ${prepareStatements})` : "";

    it(`that fails leaves the session aborted; after rollback it works and the connection went back clean${variant}`, async () => {
      const { engine, sessions } = await setup({ engine: { prepareStatements } });
      await engine.db.insertInto("items").values({ id: 1, name: "taken" }).execute();
      const db = sessions.open();

      await expect(db.insertInto("items").values({ id: 2, name: "taken" }).execute()).rejects.toBeInstanceOf(UniqueViolationError);
      expect(db.state).toBe("aborted");
      await expect(db.selectFrom("items").selectAll().execute()).rejects.toBeInstanceOf(TransactionAbortedError);
      await db.rollback();
      expect(engine.pool.status().checkedOut).toBe(0);
      expect(await idleInTransaction()).toBe(0);

      await db.insertInto("items").values({ id: 2, name: "fresh" }).execute();
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toEqual(["fresh", "taken"]);
      // Every pooled connection still serves statements outside a transaction.
      const counts = await Promise.all(Array.from({ length: 4 }, () => engine.db.selectFrom("items").select("id").execute()));
      expect(counts.map((rows) => rows.length)).toEqual([2, 2, 2, 2]);
    });

    it(`that fails to prepare (no such table) runs once the table exists${variant}`, async () => {
      const { engine, sessions } = await setup({ engine: { prepareStatements } });
      await sql`drop table if exists later_things`.execute(engine.db);
      const read = (db: typeof engine.db) => db.selectFrom("later_things" as "items").selectAll().where("id", ">", 0).execute();

      await expect(sessions.run((db) => read(db))).rejects.toBeInstanceOf(DatabaseError);
      await sql`create table later_things (id integer primary key, name text not null, qty integer not null default 0)`.execute(engine.db);
      await engine.db.insertInto("later_things" as "items").values({ id: 7, name: "seven" }).execute();
      for (let attempt = 0; attempt < 3; attempt++) {
        expect(await sessions.run((db) => read(db))).toMatchObject([{ id: 7, name: "seven" }]);
      }
      await sql`drop table later_things`.execute(engine.db);
    });
  }

  it("whose parameters cannot be sent leaves no transaction behind on the pooled connection", async () => {
    const { engine, sessions } = await setup({ engine: { pool: { size: 1, maxOverflow: 0 } } });
    const db = sessions.open();
    // JSON.stringify fails on a bigint: pg (or the SQLite binding) refuses it after the BEGIN went out.
    await expect(db.insertInto("items").values({ id: 1, name: { n: 1n } as never }).execute()).rejects.toThrow(/BigInt/);
    await db.close();
    await engine.db.insertInto("items").values({ id: 2, name: "two" }).execute();
    await engine.db.insertInto("items").values({ id: 3, name: "three" }).execute();
    expect(await idleInTransaction()).toBe(0);
    if (ctx.name !== "sqlite-memory") {
      const other = createEngine<SessionTestDb>(ctx.url());
      try {
        expect((await other.db.selectFrom("items").select("name").orderBy("id").execute()).map((row) => row.name)).toEqual(["two", "three"]);
      } finally {
        await other.dispose();
      }
    }
  });

  it("closed while its first statement runs: the transaction is rolled back and the connection goes back clean", async () => {
    const { engine, sessions } = await setup();
    const db = sessions.open();
    const statement = db.insertInto("items").values({ id: 1, name: "never" }).execute();
    await db.close();
    const outcome = await Promise.allSettled([statement]);
    // SQLite runs the statement before close() is even called; PostgreSQL refuses it on arrival.
    if (outcome[0]!.status === "rejected") expect(outcome[0]!.reason).toBeInstanceOf(SessionClosedError);
    expect(await itemNames(engine)).toEqual([]);
    expect(engine.pool.status().checkedOut).toBe(0);
    expect(await idleInTransaction()).toBe(0);
  });

  it.runIf(ctx.isPostgres)("begins with the session's isolation level and access mode", async () => {
    const { sessions } = await setup();
    const settings = (db: typeof sessions.engine.db) =>
      db
        .selectNoFrom([sql<string>`current_setting('transaction_isolation')`.as("isolation"), sql<string>`current_setting('transaction_read_only')`.as("readOnly")])
        .executeTakeFirstOrThrow();
    expect(await sessions.run(settings, { isolationLevel: "serializable", readOnly: true })).toEqual({ isolation: "serializable", readOnly: "on" });
    expect(await sessions.run(settings, { isolationLevel: "repeatable read" })).toEqual({ isolation: "repeatable read", readOnly: "off" });
    expect(await sessions.run(settings)).toEqual({ isolation: "read committed", readOnly: "off" });
  });
});

describe.runIf(process.env.ATHANOR_TEST_POSTGRES !== "0")("a session's first statement on PostgreSQL", () => {
  let proxy: FaultProxy;
  let url: string;

  beforeAll(async () => {
    const { createTestDatabase } = await import("../src/testing/index.js");
    const database = await createTestDatabase("postgres");
    const target = new URL(database.url);
    proxy = await FaultProxy.start(target.hostname, Number(target.port || 5432));
    url = proxy.rewrite(database.url);
    return async () => {
      await proxy.close();
      await database.drop();
    };
  });

  async function roundTrips(body: () => Promise<unknown>): Promise<number> {
    const before = proxy.clientChunks;
    await body();
    return proxy.clientChunks - before;
  }

  it("goes with the BEGIN: a one-statement session takes two round trips (BEGIN + statement, COMMIT), like autocommit plus one", async () => {
    const engine = createEngine<SessionTestDb>(url, { pool: { size: 1 } });
    try {
      await resetItems(engine.db);
      const sessions = createSessionFactory(engine);
      const read = () => sessions.run((db) => db.selectFrom("items").selectAll().where("id", "=", 1).execute());
      await read(); // connects and prepares the statement
      expect(await roundTrips(read)).toBe(2);
      // The first time: Parse travels in the same round trip too.
      expect(await roundTrips(() => sessions.run((db) => db.insertInto("items").values({ id: 1, name: "one" }).execute()))).toBe(2);
      // Later statements each take their own round trip.
      const twoReads = (db: typeof engine.db) => Promise.all([db.selectFrom("items").selectAll().execute(), db.selectFrom("items").select("id").execute()]);
      expect(await roundTrips(() => sessions.run(twoReads))).toBe(3);
      // A statement without parameters that is not Kysely DML may hold several statements: it
      // goes through the simple protocol, after a BEGIN of its own.
      expect(await roundTrips(() => sessions.run((db) => sql`select 1; select 2`.execute(db)))).toBe(3);
    } finally {
      await engine.dispose();
    }
  });
});
