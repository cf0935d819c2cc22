import { NoResultError } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, expect, expectTypeOf, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { ConfigurationError } from "../src/errors.js";
import { prepareQuery } from "../src/query/index.js";
import { bigint, boolean, defineSchema, initializeDatabase, integer, json, table, text, timestamps, uuid, type InferDatabase } from "../src/schema/index.js";
import { createSessionFactory } from "../src/session/session-factory.js";
import { useSandbox } from "../src/testing/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";

const notes = table("notes", {
  id: uuid().primaryKey(),
  title: text().notNull(),
  done: boolean().notNull().default(false),
  meta: json<{ tags: string[] }>(),
  size: bigint(),
  rank: integer(),
  ...timestamps(),
});
const schema = defineSchema({ notes });

const ID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

describeEachDialect("prepared queries", (dialect) => {
  let base: Engine<any>;
  beforeAll(async () => {
    base = createEngine(dialect.url(), { schema });
    await initializeDatabase(base, schema);
  });
  afterAll(() => base.dispose());
  const sandbox = useSandbox(() => base, { beforeEach, afterEach });
  let engine: Engine<InferDatabase<typeof schema>>;
  beforeEach(() => {
    engine = sandbox.engine as typeof engine;
  });

  it("inserts through placeholders exactly as a built insert stores the values, and selects them back, many times", async () => {
    const insert = prepareQuery(engine.db, (db, $: { id: string; title: string; done: boolean; meta: { tags: string[] } | null; size: bigint }) =>
      db.insertInto("notes").values({ id: $.id, title: $.title, done: $.done, meta: $.meta, size: $.size }),
    );
    const byId = prepareQuery(engine.db, (db, $: { id: string }) => db.selectFrom("notes").selectAll().where("id", "=", $.id));
    await insert.execute(engine.db, { id: ID.toUpperCase(), title: "first", done: true, meta: { tags: ["a"] }, size: 9_007_199_254_740_000n });
    await engine.db.insertInto("notes").values({ id: ID.replace("6f", "7f"), title: "built", done: true, meta: { tags: ["a"] }, size: 9_007_199_254_740_000n }).execute();
    const prepared = await byId.executeTakeFirstOrThrow(engine.db, { id: ID });
    const built = await engine.db.selectFrom("notes").selectAll().where("id", "=", ID.replace("6f", "7f")).executeTakeFirstOrThrow();
    const strip = ({ id, title, createdAt, updatedAt, ...values }: Record<string, unknown>) => values;
    expect(prepared.id).toBe(ID); // lower-cased as the schema stores UUIDs
    expect(prepared.createdAt).toBeInstanceOf(Date);
    expect(strip(prepared)).toEqual(strip(built));
    for (let i = 0; i < 20; i++) expect((await byId.execute(engine.db, { id: i % 2 === 0 ? ID : "00000000-0000-4000-8000-000000000000" })).length).toBe(i % 2 === 0 ? 1 : 0);
  });

  it("runs inside a session's transaction, updates through placeholders (updatedAt set), limits, and keeps one statement text", async () => {
    const sessions = createSessionFactory(engine);
    const texts = new Set<string>();
    const listener = ({ sql }: { sql: string }) => void texts.add(sql);
    const rename = prepareQuery(engine.db, (db, $: { id: string; title: string }) => db.updateTable("notes").set({ title: $.title }).where("id", "=", $.id));
    const firstN = prepareQuery(engine.db, (db, $: { n: number }) => db.selectFrom("notes").select("title").orderBy("title").limit($.n));
    const before = new Date("2020-01-01T00:00:00.000Z");
    await engine.db.insertInto("notes").values({ id: ID, title: "a", createdAt: before, updatedAt: before }).execute();
    engine.on("query", listener);
    try {
      await sessions.run(async (db) => {
        for (const title of ["b", "c", "d"]) await rename.execute(db, { id: ID, title });
        expect(await firstN.execute(db, { n: 1 })).toEqual([{ title: "d" }]);
      });
    } finally {
      engine.off("query", listener);
    }
    const after = await engine.db.selectFrom("notes").select(["title", "updatedAt"]).executeTakeFirstOrThrow();
    expect(after.title).toBe("d");
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.getTime());
    expect([...texts].filter((text) => /^update/i.test(text))).toHaveLength(1);
  });

  it("is prepared from a session (request.db) as from engine.db, typed by the schema", async () => {
    await engine.db.insertInto("notes").values({ id: ID, title: "from a session" }).execute();
    const found = await createSessionFactory(engine).run(async (db) => {
      const byId = prepareQuery(db, (k, $: { id: string }) => k.selectFrom("notes").select(["title", "done"]).where("id", "=", $.id));
      return byId.executeTakeFirstOrThrow(db, { id: ID });
    });
    expectTypeOf(found).toEqualTypeOf<{ title: string; done: boolean }>(); // not a mangled database type
    expect(found).toEqual({ title: "from a session", done: false });
  });

  it("refuses missing parameters, and an unbound placeholder sent by other means, with ConfigurationError", async () => {
    const byId = prepareQuery(engine.db, (db, $: { id: string }) => db.selectFrom("notes").selectAll().where("id", "=", $.id));
    expect(await rejection(byId.execute(engine.db, {} as { id: string }))).toBeInstanceOf(ConfigurationError);
    expect(await rejection(byId.executeTakeFirstOrThrow(engine.db, { id: ID }))).toBeInstanceOf(NoResultError);
    const error = await rejection(engine.db.executeQuery(byId.compiled));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/placeholder "id" was sent unbound/);
  });

  it("refuses a placeholder standing for a list (in / not in) when preparing, naming it", () => {
    const attempt = (): unknown => prepareQuery(engine.db, (db, $: { titles: string[] }) => db.selectFrom("notes").selectAll().where("title", "in", $.titles as never));
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/placeholder "titles" stands for a list/);
    const negated = (): unknown =>
      prepareQuery(engine.db, (db, $: { titles: string[] }) => db.selectFrom("notes").selectAll().where((eb) => eb.and([eb("done", "=", false), eb("title", "not in", $.titles as never)])));
    expect(negated).toThrow(/placeholder "titles" stands for a list/);
    // A list of placeholders has a fixed length: allowed.
    expect(() => prepareQuery(engine.db, (db, $: { a: string; b: string }) => db.selectFrom("notes").selectAll().where("title", "in", [$.a, $.b]))).not.toThrow();
  });

  it("refuses to run on an engine of another dialect, naming both, before anything is sent", async () => {
    const other = createEngine(dialect.name.startsWith("sqlite") ? "postgres://postgres@127.0.0.1:1/none" : "sqlite::memory:", { schema });
    try {
      const byId = prepareQuery(engine.db, (db, $: { id: string }) => db.selectFrom("notes").selectAll().where("id", "=", $.id));
      const error = await rejection(byId.execute(other.db as never, { id: ID }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toMatch(/a query prepared for (SQLite|PostgreSQL) was run on (SQLite|PostgreSQL)/);
    } finally {
      await other.dispose();
    }
  });
});
