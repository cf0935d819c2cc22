import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import {
  bigint, boolean, bytes, date, defineSchema, dropAll, enumeration, float, initializeDatabase, integer, json, numeric, table, text, timestamp, timestamps, uuid,
  varchar, vector, hasMany, loadMany, type InferDatabase,
} from "../src/schema/index.js";
import { createSessionFactory } from "../src/session/index.js";
import { createTestDatabase, useSandbox, type TestDatabase } from "../src/testing/index.js";
import { ALL_DIALECTS, describeEachDialect } from "./support/each-dialect.js";

const owners = table("owners", { id: uuid().primaryKey(), name: text().notNull() });
const samples = table("samples", {
  id: uuid().primaryKey(),
  ownerId: uuid().references(() => owners.id),
  label: varchar(40).notNull(),
  body: text(),
  count: integer(),
  big: bigint(),
  smallBig: bigint({ mode: "number" }),
  ratio: float(),
  price: numeric(10, 2),
  flag: boolean(),
  at: timestamp(),
  day: date(),
  doc: json<{ name: string; tags: string[]; nested: { n: number | null } }>(),
  list: json<number[]>(),
  word: json<string>(),
  role: enumeration(["user", "assistant", "system"]),
  blob: bytes(),
  embedding: vector(3),
  ...timestamps(),
});
const schema = defineSchema({ owners, samples });
type DB = InferDatabase<typeof schema>;

const OWNER = "4f0c6a52-8d38-4a4b-9a57-2f0f0c0c0c01";
const ID = "0b7c1b3e-5a7d-4c61-8d8e-3c5d9b1e2f10";
const row = {
  id: ID.toUpperCase(),
  ownerId: OWNER,
  label: "every type",
  body: "line one\nline two — ünïcødé ✓",
  count: -42,
  big: 9_007_199_254_740_000n,
  smallBig: 123_456_789,
  ratio: 0.1 + 0.2,
  price: "12.5",
  flag: true,
  at: new Date("2024-02-29T23:59:58.123Z"),
  day: "2024-02-29",
  doc: { name: "x", tags: ["a", "b"], nested: { n: null } },
  list: [1, 2.5, -3],
  word: "just a string",
  role: "assistant" as const,
  blob: Buffer.from([0, 1, 2, 254, 255]),
  embedding: [0.1, 0.123456789, -2],
};
const expected = {
  id: ID,
  ownerId: OWNER,
  label: "every type",
  body: "line one\nline two — ünïcødé ✓",
  count: -42,
  big: 9_007_199_254_740_000n,
  smallBig: 123_456_789,
  ratio: 0.1 + 0.2,
  price: "12.50",
  flag: true,
  at: new Date("2024-02-29T23:59:58.123Z"),
  day: "2024-02-29",
  doc: { name: "x", tags: ["a", "b"], nested: { n: null } },
  list: [1, 2.5, -3],
  word: "just a string",
  role: "assistant",
  blob: Buffer.from([0, 1, 2, 254, 255]),
  embedding: [0.1, 0.12345679, -2],
};

describeEachDialect("portable values", (dialect) => {
  // Tables created once; every test runs in a sandbox that rolls back (athanor/testing).
  let base: Engine<DB>;
  beforeAll(async () => {
    base = createEngine(dialect.url(), { schema });
    await dropAll(base, schema);
    await initializeDatabase(base, schema);
  });
  afterAll(() => base.dispose());
  const sandbox = useSandbox(() => base, { beforeEach, afterEach });
  let engine: Engine<DB>;
  beforeEach(async () => {
    engine = sandbox.engine;
    await engine.db.insertInto("owners").values({ id: OWNER, name: "owner" }).execute();
  });

  it("reads back every column type as the value written", async () => {
    const returned = await engine.db.insertInto("samples").values(row).returningAll().executeTakeFirstOrThrow();
    const selected = await engine.db.selectFrom("samples").selectAll().executeTakeFirstOrThrow();
    for (const result of [returned, selected]) {
      const { createdAt, updatedAt, ...values } = result;
      expect(values).toEqual(expected);
      expect(createdAt).toBeInstanceOf(Date);
      expect(updatedAt.getTime()).toBe(createdAt.getTime());
    }
  });

  it("session.insertMany stores every type as insertInto does (plain parameters, or Kysely where a column needs a cast)", async () => {
    const sessions = createSessionFactory(engine);
    const inserts: string[] = [];
    const listener = ({ sql: text }: { sql: string }) => {
      if (/^insert/i.test(text)) inserts.push(text);
    };
    engine.on("query", listener);
    onTestFinished(() => void engine.off("query", listener));
    const { embedding, ...withoutVector } = row;
    const second = { ...withoutVector, id: OWNER, label: "no vector", flag: false };
    expect(await sessions.run((db) => db.insertMany("samples", [row]))).toEqual({ inserted: 1, statements: 1 });
    expect(await sessions.run((db) => db.insertMany("samples", [second]))).toEqual({ inserted: 1, statements: 1 });
    // A vector column is cast on PostgreSQL: that row went through Kysely, the other did not.
    expect(inserts.filter((text) => text.includes("cast("))).toHaveLength(dialect.isPostgres ? 1 : 0);
    const stored = await engine.db.selectFrom("samples").selectAll().orderBy("label").execute();
    expect(stored.map(({ createdAt, updatedAt, ...values }) => values)).toEqual([
      expected,
      { ...expected, id: OWNER, label: "no vector", flag: false, embedding: null },
    ]);
  });

  it("session.insertMany into a schema-qualified name encodes like insertInto (upper-case UUIDs stored in lower case)", async () => {
    const sessions = createSessionFactory(engine);
    const qualified = `${dialect.isPostgres ? "public" : "main"}.owners` as "owners";
    const upper = "AAAAAAAA-0000-4000-8000-000000000002";
    await sessions.run((db) => db.insertMany(qualified, [{ id: upper, name: "qualified" }]));
    expect(await engine.db.selectFrom("owners").select("name").where("id", "=", upper.toLowerCase()).execute()).toEqual([{ name: "qualified" }]);
  });

  it("session.insertMany refuses what insertInto refuses, with the same error, and writes nothing", async () => {
    const sessions = createSessionFactory(engine);
    const cases: Array<[string, Record<string, unknown>]> = [
      ["a lone surrogate", { body: "a\uD800b" }],
      ["an invalid Date", { at: new Date(Number.NaN) }],
      ["an unsafe bigint", { smallBig: 2n ** 70n }],
      ["NaN", { ratio: Number.NaN }],
      ["a string for an integer", { count: "7" }],
    ];
    let refused = 0;
    for (const [what, value] of cases) {
      const values = { id: ID, label: what, ...value };
      const built = await engine.db.insertInto("samples").values(values as never).execute().then(() => undefined, (error: unknown) => error);
      await engine.db.deleteFrom("samples").execute();
      const many = await sessions.run((db) => db.insertMany("samples", [values as never])).then(() => undefined, (error: unknown) => error);
      await engine.db.deleteFrom("samples").execute();
      if (built === undefined) {
        expect(many, what).toBeUndefined();
        continue;
      }
      refused++;
      expect((many as Error | undefined)?.constructor, what).toBe((built as Error).constructor);
      expect((many as Error).message, what).toBe((built as Error).message);
    }
    expect(refused).toBeGreaterThanOrEqual(2);
  });

  // insertMany passes finite numbers of integer, bigint, float and numeric columns without
  // calling their encoder: a number that must still be refused or converted, after rows of
  // plain numbers (so the columns' fast case is in use), meets the same fate as in insertInto.
  it("session.insertMany treats a number after rows of plain numbers as insertInto does: the same error, or the same stored values", async () => {
    const sessions = createSessionFactory(engine);
    const numbers = { count: 7, smallBig: 8, ratio: 0.5, price: 1.25 };
    const cases: Array<[string, unknown]> = [
      ["count", Number.NaN], ["smallBig", Number.NaN], ["ratio", Number.NaN], ["price", Number.NaN],
      ["ratio", Infinity], ["ratio", -Infinity], ["count", Infinity], ["count", 1.5], ["count", 2 ** 31], ["smallBig", 2 ** 53 + 2],
      ["ratio", -0], ["price", 123_456_789.125], ["doc", 5], ["doc", 0.1 + 0.2], ["list", 2.5], ["word", -0], ["flag", 1], ["at", 0], ["embedding", 3], ["body", 4], ["role", 1],
    ];
    const stored = async () => {
      const rows = await engine.db.selectFrom("samples").selectAll().orderBy("label").execute();
      const values = rows.map(({ createdAt, updatedAt, ...rest }) => rest);
      // SQLite: the storage class too (a number stored where JSON text belongs reads back alike).
      const classes = dialect.isSqlite ? (await sql<Record<string, string>>`select typeof(count) as count, typeof(ratio) as ratio, typeof(price) as price, typeof(doc) as doc, typeof(list) as list, typeof(word) as word, typeof(body) as body from samples order by label`.execute(engine.db)).rows : [];
      await engine.db.deleteFrom("samples").execute();
      return { values, classes };
    };
    let refused = 0;
    let accepted = 0;
    for (const [name, value] of cases) {
      const what = `${name}: ${Object.is(value, -0) ? "-0" : String(value)}`;
      const rows = [
        { id: ID, label: "a", ...numbers },
        { id: OWNER, label: "b", ...numbers },
        { id: "0b7c1b3e-5a7d-4c61-8d8e-3c5d9b1e2f11", label: "c", ...numbers, [name]: value },
      ];
      const built = await engine.db.insertInto("samples").values(rows as never).execute().then(() => undefined, (error: unknown) => error);
      const builtStored = await stored();
      const many = await sessions.run((db) => db.insertMany("samples", rows as never)).then(() => undefined, (error: unknown) => error);
      const manyStored = await stored();
      expect(manyStored, what).toEqual(builtStored);
      if (built === undefined) {
        expect(many, what).toBeUndefined();
        accepted++;
        continue;
      }
      refused++;
      expect(manyStored.values, what).toEqual([]);
      expect((many as Error | undefined)?.constructor, what).toBe((built as Error).constructor);
      expect((many as Error).message, what).toBe((built as Error).message);
    }
    expect(refused).toBeGreaterThanOrEqual(dialect.isSqlite ? 5 : 4);
    expect(accepted).toBeGreaterThanOrEqual(5);
  });

  it("reads NULL as null for every nullable type", async () => {
    await engine.db.insertInto("samples").values({ id: ID, label: "nulls" }).execute();
    const result = await engine.db.selectFrom("samples").selectAll().executeTakeFirstOrThrow();
    const { id, label, createdAt, updatedAt, ...rest } = result;
    expect(Object.values(rest).every((value) => value === null)).toBe(true);
    expect(Object.keys(rest)).toHaveLength(16);
  });

  it("decodes aliased, qualified and joined selections and returning of updates and deletes", async () => {
    await engine.db.insertInto("samples").values(row).execute();
    const aliased = await engine.db
      .selectFrom("samples as s")
      .innerJoin("owners as o", "o.id", "s.ownerId")
      .select(["s.flag as isOn", "s.at", "o.name", "s.doc"])
      .select(sql<number>`1`.as("one"))
      .executeTakeFirstOrThrow();
    expect(aliased).toEqual({ isOn: true, at: expected.at, name: "owner", doc: expected.doc, one: 1 });
    const updated = await engine.db.updateTable("samples").set({ flag: false, doc: { name: "y", tags: [], nested: { n: 1 } } }).returning(["flag", "doc"]).executeTakeFirstOrThrow();
    expect(updated).toEqual({ flag: false, doc: { name: "y", tags: [], nested: { n: 1 } } });
    const deleted = await engine.db.deleteFrom("samples").returning(["embedding", "big"]).executeTakeFirstOrThrow();
    expect(deleted).toEqual({ embedding: expected.embedding, big: expected.big });
  });

  it("filters on booleans, timestamps and uuids the same way", async () => {
    await engine.db.insertInto("samples").values(row).execute();
    await engine.db.insertInto("samples").values({ id: OWNER, label: "other", flag: false, at: new Date("2023-01-01T00:00:00Z") }).execute();
    const labels = async (query: Promise<Array<{ label: string }>>) => (await query).map((r) => r.label);
    expect(await labels(engine.db.selectFrom("samples").select("label").where("flag", "=", true).execute())).toEqual(["every type"]);
    expect(await labels(engine.db.selectFrom("samples").select("label").where("at", ">", new Date("2024-01-01T00:00:00Z")).execute())).toEqual(["every type"]);
    expect(await labels(engine.db.selectFrom("samples").select("label").orderBy("at", "desc").execute())).toEqual(["every type", "other"]);
    expect(await labels(engine.db.selectFrom("samples").select("label").where("id", "=", ID).execute())).toEqual(["every type"]);
  });

  it("sets updatedAt on every updateTable, createdAt never", async () => {
    const past = new Date("2020-01-01T00:00:00.000Z");
    await engine.db.insertInto("samples").values({ id: ID, label: "t", createdAt: past, updatedAt: past }).execute();
    await engine.db.updateTable("samples").set({ label: "t2" }).where("id", "=", ID).execute();
    const after = await engine.db.selectFrom("samples").select(["createdAt", "updatedAt", "label"]).executeTakeFirstOrThrow();
    expect(after.label).toBe("t2");
    expect(after.createdAt).toEqual(past);
    expect(after.updatedAt.getTime()).toBeGreaterThan(past.getTime());
    expect(Math.abs(after.updatedAt.getTime() - Date.now())).toBeLessThan(60_000);

    await engine.db.transaction().execute((trx) => trx.updateTable("samples").set({ label: "t3", updatedAt: past }).execute());
    const explicit = await engine.db.selectFrom("samples").select("updatedAt").executeTakeFirstOrThrow();
    expect(explicit.updatedAt).toEqual(past);

    await engine.db.transaction().execute((trx) => trx.updateTable("samples").set({ count: 1 }).execute());
    const inTransaction = await engine.db.selectFrom("samples").select("updatedAt").executeTakeFirstOrThrow();
    expect(inTransaction.updatedAt.getTime()).toBeGreaterThan(past.getTime());
  });

  it("sets updatedAt on upserts that update", async () => {
    const past = new Date("2020-01-01T00:00:00.000Z");
    await engine.db.insertInto("samples").values({ id: ID, label: "t", updatedAt: past }).execute();
    await engine.db
      .insertInto("samples")
      .values({ id: ID, label: "again" })
      .onConflict((conflict) => conflict.column("id").doUpdateSet({ label: "upserted" }))
      .execute();
    const after = await engine.db.selectFrom("samples").select(["label", "updatedAt"]).executeTakeFirstOrThrow();
    expect(after.label).toBe("upserted");
    expect(after.updatedAt.getTime()).toBeGreaterThan(past.getTime());
  });

  it("decodes values read through CTEs, subqueries, joins, unions, returning and raw sql, like plain selects", async () => {
    await engine.db.insertInto("samples").values(row).execute();
    const through = {
      cte: await engine.db.with("c", (db) => db.selectFrom("samples").select(["flag", "at", "doc", "big", "embedding"])).selectFrom("c").selectAll().executeTakeFirstOrThrow(),
      subquery: await engine.db
        .selectFrom((db) => db.selectFrom("samples").select(["flag", "at", "doc", "big", "embedding"]).as("s"))
        .selectAll()
        .executeTakeFirstOrThrow(),
      join: await engine.db
        .selectFrom("owners")
        .innerJoin("samples as x", "x.ownerId", "owners.id")
        .select(["x.flag", "x.at", "x.doc", "x.big", "x.embedding"])
        .executeTakeFirstOrThrow(),
      raw: (await sql<Record<string, unknown>>`select flag, at, doc, big, embedding from samples`.execute(engine.db)).rows[0],
      returning: await engine.db.updateTable("samples").set({ label: "again" }).returning(["flag", "at", "doc", "big", "embedding"]).executeTakeFirstOrThrow(),
    };
    for (const [path, values] of Object.entries(through)) {
      expect(values, path).toEqual({ flag: true, at: expected.at, doc: expected.doc, big: expected.big, embedding: expected.embedding });
    }
  });

  it("reads every type inside a loaded relation exactly as a plain select reads it", async () => {
    await engine.db.insertInto("samples").values(row).execute();
    await engine.db.insertInto("samples").values({ id: "0b7c1b3e-5a7d-4c61-8d8e-3c5d9b1e2f11", ownerId: OWNER, label: "nulls" }).execute();
    const [owner] = await engine.db
      .selectFrom("owners")
      .select("id")
      .select((eb) => [loadMany(eb, hasMany(owners, samples), (q) => q.orderBy("label")).as("samples")])
      .execute();
    expect(owner!.samples).toEqual(await engine.db.selectFrom("samples").selectAll().orderBy("label").execute());
    expect(owner!.samples[0]).toMatchObject(expected);
  });

  it("reads count(*) as a number on every dialect, and a bigint column as a bigint", async () => {
    await engine.db.insertInto("samples").values(row).execute();
    const counted = await engine.db.selectFrom("samples").select((eb) => [eb.fn.countAll().as("n"), eb.fn.max("big").as("top")]).executeTakeFirstOrThrow();
    expect(counted.n).toBe(1);
    const { big } = await engine.db.selectFrom("samples").select("big").executeTakeFirstOrThrow();
    expect(big).toBe(expected.big);
  });

  it.runIf(dialect.isPostgres)("parses dates per engine, leaving pg's global parsers alone", async () => {
    const pg = (await import("pg")).default;
    const globalParser = pg.types.getTypeParser(1082, "text");
    await engine.db.insertInto("samples").values({ id: ID, label: "d", day: "2024-02-29" }).execute();
    expect((await engine.db.selectFrom("samples").select("day").executeTakeFirstOrThrow()).day).toBe("2024-02-29");
    expect(pg.types.getTypeParser(1082, "text")).toBe(globalParser);
    expect(globalParser("2024-02-29")).toBeInstanceOf(Date);
  });

  it.runIf(dialect.isPostgres)("keeps bigint exact beyond 2^53 on PostgreSQL", async () => {
    await engine.db.insertInto("samples").values({ id: ID, label: "big", big: 9_223_372_036_854_775_807n }).execute();
    const result = await engine.db.selectFrom("samples").select("big").executeTakeFirstOrThrow();
    expect(result.big).toBe(9_223_372_036_854_775_807n);
  });

  it("rounds numeric to its scale like PostgreSQL", async () => {
    await engine.db.insertInto("samples").values([{ id: ID, label: "a", price: 3 }, { id: OWNER, label: "b", price: "0.125" }]).execute();
    const prices = await engine.db.selectFrom("samples").select("price").orderBy("label").execute();
    expect(prices.map((p) => p.price)).toEqual(["3.00", "0.13"]);
  });
});

describe("reads are decoded only for an engine created with the schema (guard)", () => {
  it("an engine without the schema reads what SQLite stores", async () => {
    const database = await createTestDatabase("sqlite-file");
    const typed = createEngine(database.url, { schema });
    const bare = createEngine<DB>(database.url);
    try {
      await initializeDatabase(typed, schema);
      await typed.db.insertInto("owners").values({ id: OWNER, name: "owner" }).execute();
      await typed.db.insertInto("samples").values(row).execute();
      const select = (engine: Engine<DB>) => engine.db.selectFrom("samples").select(["flag", "at", "doc"]).executeTakeFirstOrThrow();
      expect(await select(typed)).toEqual({ flag: true, at: expected.at, doc: expected.doc });
      expect(await select(bare)).toEqual({ flag: 1, at: "2024-02-29T23:59:58.123Z", doc: JSON.stringify(expected.doc) });
    } finally {
      await Promise.all([typed.dispose(), bare.dispose()]);
      await database.drop();
    }
  });
});

describe("the same values on every dialect", () => {
  const databases: TestDatabase[] = [];
  afterAll(() => Promise.all(databases.map((database) => database.drop())));
  const dialects = ALL_DIALECTS.filter((name) => name !== "postgres" || process.env.ATHANOR_TEST_POSTGRES !== "0");

  it(`round-trips a row deep-equal across ${dialects.join(", ")}`, async () => {
    const results: unknown[] = [];
    for (const name of dialects) {
      const database = await createTestDatabase(name);
      databases.push(database);
      const engine = createEngine<DB>(database.url, { schema });
      try {
        await initializeDatabase(engine, schema);
        await engine.db.insertInto("owners").values({ id: OWNER, name: "owner" }).execute();
        const fixed = new Date("2024-05-05T05:05:05.005Z");
        await engine.db.insertInto("samples").values({ ...row, createdAt: fixed, updatedAt: fixed }).execute();
        await engine.db.insertInto("samples").values({ id: OWNER, label: "nulls", createdAt: fixed, updatedAt: fixed }).execute();
        results.push(await engine.db.selectFrom("samples").selectAll().orderBy("label").execute());
      } finally {
        await engine.dispose();
      }
    }
    expect(results.length).toBeGreaterThanOrEqual(2);
    for (const result of results.slice(1)) expect(result).toEqual(results[0]);
    expect(results[0]).toHaveLength(2);
  });
});
