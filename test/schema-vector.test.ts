import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { CheckViolationError, ConfigurationError } from "../src/errors.js";
import { defineSchema, dropAll, initializeDatabase, integer, nearest, table, text, vector, vectorDistance, type InferDatabase } from "../src/schema/index.js";
import { createTestDatabase, useSandbox, type TestDatabase } from "../src/testing/index.js";
import { shortestFloat32 } from "../src/backends/vector-values.js";
import { ALL_DIALECTS, describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { QUERY, reference, ROWS } from "./support/vector-fixtures.js";

const memories = table("memories", {
  id: integer().primaryKey(),
  topic: text().notNull(),
  embedding: vector(4),
});
const schema = defineSchema({ memories });
type DB = InferDatabase<typeof schema>;

describeEachDialect("vector columns and nearest()", (dialect) => {
  // Tables and rows created once; every test runs in a sandbox that rolls back (athanor/testing).
  let base: Engine<DB>;
  beforeAll(async () => {
    base = createEngine(dialect.url(), { schema });
    await dropAll(base, schema);
    await initializeDatabase(base, schema);
    await base.db.insertInto("memories").values(ROWS).execute();
    await base.db.insertInto("memories").values({ id: 100, topic: "none", embedding: null }).execute();
  });
  afterAll(() => base.dispose());
  const sandbox = useSandbox(() => base, { beforeEach, afterEach });
  let engine: Engine<DB>;
  beforeEach(() => {
    engine = sandbox.engine;
  });

  it.each(["cosine", "l2"] as const)("ranks by %s distance like the reference, nearest first", async (metric) => {
    const rows = await nearest(engine.db, memories.embedding, QUERY, { metric, limit: 10 }).execute();
    expect(rows.map((row) => row.id)).toEqual(reference(metric).slice(0, 10));
    expect(rows[0]).toMatchObject({ topic: expect.any(String), embedding: expect.any(Array) });
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.distance).toBeGreaterThanOrEqual(rows[i - 1]!.distance);
  });

  it("composes with where(), and leaves out NULL vectors", async () => {
    const rows = await nearest(engine.db, memories.embedding, QUERY, { limit: 100 }).where("topic", "=", "odd").execute();
    expect(rows.map((row) => row.id)).toEqual(reference("cosine", ROWS.filter((row) => row.topic === "odd")));
    const all = await nearest(engine.db, memories.embedding, QUERY, { limit: 100 }).execute();
    expect(all).toHaveLength(ROWS.length);
  });

  it("computes the same distance values as the reference", async () => {
    const row = await engine.db
      .selectFrom("memories")
      .select(["id", vectorDistance(memories.embedding, QUERY, "l2").as("l2"), vectorDistance(memories.embedding, QUERY).as("cosine")])
      .where("id", "=", 1)
      .executeTakeFirstOrThrow();
    const x = ROWS[0]!.embedding.map(Math.fround);
    const q = QUERY.map(Math.fround);
    // pgvector (PGlite has it) computes distances in single precision; real[] and SQLite in double.
    expect(row.l2).toBeCloseTo(Math.sqrt(x.reduce((s, xi, i) => s + (xi - q[i]!) ** 2, 0)), dialect.isPglite ? 6 : 12);
  });

  it("stores float32 values and enforces the dimensions", async () => {
    const stored = await engine.db.selectFrom("memories").select("embedding").where("id", "=", 1).executeTakeFirstOrThrow();
    expect(stored.embedding).toEqual(ROWS[0]!.embedding.map(shortestFloat32));
    stored.embedding!.forEach((value, i) => expect(Math.fround(value)).toBe(Math.fround(ROWS[0]!.embedding[i]!)));
    const error = await rejection(engine.db.insertInto("memories").values({ id: 200, topic: "bad", embedding: [1, 2, 3] }).execute());
    expect(error.message).toMatch(/dimension|dims|expected 4/i);
    if (dialect.isSqlite) expect(error).toBeInstanceOf(CheckViolationError);
  });

  it("select: returns the named columns and the distance, typed, in the same order (the vector left out)", async () => {
    const rows = await nearest(engine.db, memories.embedding, QUERY, { limit: 10, select: ["id", "topic"] }).where("topic", "=", "odd").execute();
    expect(rows.map((row) => row.id)).toEqual(reference("cosine", ROWS.filter((row) => row.topic === "odd")).slice(0, 10));
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(["distance", "id", "topic"]);
    expectTypeOf(rows[0]!).toEqualTypeOf<{ id: number; topic: string; distance: number }>();
    // @ts-expect-error a column the table does not have
    expect(() => nearest(engine.db, memories.embedding, QUERY, { limit: 1, select: ["nope"] })).toThrow(/memories has no column "nope"/);
    expect(() => nearest(engine.db, memories.embedding, QUERY, { limit: 1, select: [] })).toThrow(/at least one column/);
  });

  it("refuses a query vector of the wrong size before reaching the database", () => {
    expect(() => nearest(engine.db, memories.embedding, [1, 2], { limit: 1 })).toThrow(/4 dimensions, the query vector 2/);
  });

  it("takes a session as it takes engine.db, with the schema's row type", async () => {
    const rows = await sandbox.sessions.run((db) => nearest(db, memories.embedding, QUERY, { limit: 2 }).where("topic", "=", "odd").execute());
    expectTypeOf(rows[0]!.topic).toEqualTypeOf<string>(); // inferred from a Session<DB>, not a mangled database type
    expectTypeOf(rows[0]!.distance).toEqualTypeOf<number>();
    expect(rows.map((row) => row.id)).toEqual(reference("cosine", ROWS.filter((row) => row.topic === "odd")).slice(0, 2));
  });

  it("refuses, before any query, a database handle without the engine's schema option", () => {
    const error = (() => {
      try {
        nearest(engine.db.withoutPlugins(), memories.embedding, QUERY, { limit: 1 });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error("nearest() accepted a handle without the schema");
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/createEngine\(url, \{ schema \}\)/);
  });

  it.runIf(dialect.isPostgres)("uses pgvector when the extension exists, real[] otherwise", async () => {
    const { rows } = await sql<{ available: boolean }>`select exists (select 1 from pg_available_extensions where name = 'vector') as available`.execute(engine.db);
    const type = await sql<{ type: string }>`select format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'memories'::regclass and attname = 'embedding'`.execute(engine.db);
    expect(type.rows[0]!.type).toBe(rows[0]!.available ? "vector(4)" : "real[]");
  });
});

describe("nearest() ranking across dialects", () => {
  const databases: TestDatabase[] = [];
  afterAll(() => Promise.all(databases.map((database) => database.drop())));
  const dialects = ALL_DIALECTS.filter((name) => name !== "postgres" || process.env.ATHANOR_TEST_POSTGRES !== "0");

  it("returns the same ids and distances on every dialect", async () => {
    const results: Array<Array<{ id: number; distance: number }>> = [];
    for (const name of dialects) {
      const database = await createTestDatabase(name);
      databases.push(database);
      const engine = createEngine<DB>(database.url, { schema });
      try {
        await initializeDatabase(engine, schema);
        await engine.db.insertInto("memories").values(ROWS).execute();
        for (const metric of ["cosine", "l2"] as const) {
          const rows = await nearest(engine.db, memories.embedding, QUERY, { metric, limit: ROWS.length }).execute();
          results.push(rows.map((row) => ({ id: row.id, distance: row.distance })));
        }
      } finally {
        await engine.dispose();
      }
    }
    expect(results.length).toBeGreaterThanOrEqual(4);
    for (let i = 2; i < results.length; i++) {
      const base = results[i % 2]!;
      expect(results[i]!.map((row) => row.id)).toEqual(base.map((row) => row.id));
      // pgvector's single-precision distances (PGlite) agree to about 1e-7.
      const digits = dialects[Math.floor(i / 2)] === "pglite" ? 6 : 12;
      results[i]!.forEach((row, j) => expect(row.distance).toBeCloseTo(base[j]!.distance, digits));
    }
  });
});
