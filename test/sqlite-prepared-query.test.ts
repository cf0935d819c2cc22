import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { ConfigurationError, ForeignKeyViolationError, UniqueViolationError } from "../src/errors.js";
import { prepareQuery } from "../src/query/index.js";
import { bigint, boolean, defineSchema, initializeDatabase, integer, json, table, text, timestamps, uuid, type InferDatabase } from "../src/schema/index.js";
import { createSessionFactory } from "../src/session/session-factory.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";

const owners = table("owners", { id: integer().primaryKey(), name: text().notNull().unique() });
const notes = table("notes", {
  id: uuid().primaryKey(),
  title: text().notNull(),
  done: boolean().notNull().default(false),
  meta: json<{ tags: string[] }>(),
  size: bigint(),
  ownerId: integer().references(() => owners.id),
  ...timestamps(),
});
const schema = defineSchema({ owners, notes });

const ids = ["10000000-0000-4000-8000-000000000001", "20000000-0000-4000-8000-000000000002", "30000000-0000-4000-8000-000000000003"] as const;

// On SQLite a compiled statement on engine.db runs at once when its connection is free (no
// Kysely executor, no checkout): what it returns, how it fails and when it runs must be what
// the same statement built and run through Kysely gives.
describeEachDialect(
  "compiled statements on engine.db run at once on SQLite",
  (dialect) => {
    let engine: Engine<InferDatabase<typeof schema>>;
    beforeAll(async () => {
      engine = createEngine(dialect.url(), { schema });
      await initializeDatabase(engine, schema);
    });
    afterAll(() => engine.dispose());
    beforeEach(async () => {
      await engine.db.deleteFrom("notes").execute();
      await engine.db.deleteFrom("owners").execute();
      await engine.db.insertInto("owners").values({ id: 1, name: "ada" }).execute();
    });

    const byTitle = () => prepareQuery(engine.db, (db, $: { title: string }) => db.selectFrom("notes").selectAll().where("title", "=", $.title).orderBy("id"));
    const insert = () =>
      prepareQuery(engine.db, (db, $: { id: string; title: string; ownerId: number | null }) =>
        db.insertInto("notes").values({ id: $.id, title: $.title, done: true, meta: { tags: ["x"] }, size: 9_007_199_254_740_000n, ownerId: $.ownerId }),
      );

    it("returns the rows, decoded, that the built query returns: every row, and the first of several", async () => {
      for (const id of ids) await insert().execute(engine.db, { id, title: "same", ownerId: 1 });
      const built = engine.db.selectFrom("notes").selectAll().where("title", "=", "same").orderBy("id");
      const compiled = byTitle();
      expect(await compiled.execute(engine.db, { title: "same" })).toEqual(await built.execute());
      const first = await compiled.executeTakeFirst(engine.db, { title: "same" });
      expect(first).toEqual(await built.executeTakeFirst());
      expect(first?.id).toBe(ids[0]);
      expect(first?.size).toBe(9_007_199_254_740_000n);
      expect(first?.createdAt).toBeInstanceOf(Date);
      expect(first?.meta).toEqual({ tags: ["x"] });
      expect(await compiled.executeTakeFirst(engine.db, { title: "none" })).toBeUndefined();
      const result = await insert().executeQuery(engine.db, { id: "40000000-0000-4000-8000-000000000004", title: "t", ownerId: null });
      expect(result.numAffectedRows).toBe(1n);
    });

    it("fails as the built statement fails: the same error classes and completed fields, as rejections", async () => {
      await insert().execute(engine.db, { id: ids[0], title: "a", ownerId: 1 });
      const compiledUnique = await rejection(insert().execute(engine.db, { id: ids[0], title: "b", ownerId: 1 }));
      const builtUnique = await rejection(engine.db.insertInto("notes").values({ id: ids[0], title: "b" }).execute());
      expect(compiledUnique).toBeInstanceOf(UniqueViolationError);
      expect({ ...compiledUnique, cause: undefined, stack: undefined }).toEqual({ ...builtUnique, cause: undefined, stack: undefined });
      const compiledForeignKey = await rejection(insert().execute(engine.db, { id: ids[1], title: "c", ownerId: 99 }));
      const builtForeignKey = await rejection(engine.db.insertInto("notes").values({ id: ids[1], title: "c", ownerId: 99 }).execute());
      expect(compiledForeignKey).toBeInstanceOf(ForeignKeyViolationError);
      expect((compiledForeignKey as ForeignKeyViolationError).table).toBe((builtForeignKey as ForeignKeyViolationError).table);
      expect((compiledForeignKey as ForeignKeyViolationError).constraint).toBe((builtForeignKey as ForeignKeyViolationError).constraint);
      // A missing parameter is a rejection, never a throw in the caller's tick.
      const missing = byTitle().execute(engine.db, {} as { title: string });
      expect(missing).toBeInstanceOf(Promise);
      expect(await rejection(missing)).toBeInstanceOf(ConfigurationError);
    });

    it("never runs inside another caller's open transaction: a write waits for it and survives its rollback", async () => {
      const sessions = createSessionFactory(engine);
      const session = sessions.open();
      await session.insertInto("notes").values({ id: ids[0], title: "in the transaction" }).execute();
      const outside = insert().execute(engine.db, { id: ids[1], title: "outside", ownerId: null });
      const read = byTitle().execute(engine.db, { title: "in the transaction" });
      if (!dialect.readerBesideWriter) {
        // One shared connection: both wait for the transaction instead of running inside it.
        let settled = false;
        void Promise.allSettled([outside, read]).then(() => (settled = true));
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(settled).toBe(false);
      } else {
        // A reader beside the writer: the read runs now, without the uncommitted row.
        expect(await read).toEqual([]);
      }
      await session.rollback();
      await session.close();
      await outside;
      expect(await read).toEqual([]);
      expect((await engine.db.selectFrom("notes").select("title").execute()).map((row) => row.title)).toEqual(["outside"]);
    });

    it("keeps call order: statements issued while the writer is held run after it, in the order they were issued", async () => {
      await insert().execute(engine.db, { id: ids[0], title: "0", ownerId: null });
      const rename = prepareQuery(engine.db, (db, $: { id: string; title: string }) => db.updateTable("notes").set({ title: $.title }).where("id", "=", $.id));
      const sessions = createSessionFactory(engine);
      const session = sessions.open();
      await session.updateTable("notes").set({ title: "session" }).where("id", "=", ids[0]).execute();
      const renames = ["1", "2", "3"].map((title) => rename.execute(engine.db, { id: ids[0], title }));
      await session.commit();
      await session.close();
      await Promise.all(renames);
      expect((await engine.db.selectFrom("notes").select("title").executeTakeFirstOrThrow()).title).toBe("3");
      // Free again: issued in one tick, each runs at once, in order.
      await Promise.all(["4", "5"].map((title) => rename.execute(engine.db, { id: ids[0], title })));
      expect((await byTitle().executeTakeFirstOrThrow(engine.db, { title: "5" })).id).toBe(ids[0]);
    });
  },
  ["sqlite-memory", "sqlite-file"],
);
