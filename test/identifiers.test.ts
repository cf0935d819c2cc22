import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaEditorFor } from "../src/backends/schema-editor-for.js";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { AthanorError, CheckViolationError, SchemaDefinitionError } from "../src/errors.js";
import { createMigrationOperations, type MigrationOperations } from "../src/migrate/migration-operations.js";
import { checkIdentifier } from "../src/schema/check-identifier.js";
import { check, defineSchema, enumeration, index, initializeDatabase, integer, nearest, table, text, unique, vector, type AnyTable } from "../src/schema/index.js";
import { createIndexQueries, createTableQuery } from "../src/schema/schema-ddl.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { fuzzOptions, fuzzTimeout } from "./support/fuzz-runs.js";
import { hostileText } from "./support/hostile-text.js";

describe("names are checked where they enter, never parsed", () => {
  it.each<[string, () => unknown]>([
    ["an empty table name", () => table("", { id: integer() })],
    ["a table name with a dot (Kysely's schema.table)", () => table("a.b", { id: integer() })],
    ["a table name with ' as ' (Kysely's alias)", () => table("a as b", { id: integer() })],
    ["a column name with NUL", () => table("t", { "a\u0000b": integer() })],
    ["a column name of 64 bytes", () => table("t", { ["é".repeat(32)]: integer() })],
    ["an index name with a lone surrogate", () => table("t", { a: integer() }, (t) => [index("ix\ud800").on(t.a)])],
    ["a unique name that is empty", () => table("t", { a: integer() }, (t) => [unique("").on(t.a)])],
    ["a check name of 64 ASCII bytes", () => table("t", { a: integer() }, () => [check("c".repeat(64), "a > 0")])],
  ])("the schema DSL refuses %s", (_, declare) => {
    expect(declare).toThrow(SchemaDefinitionError);
  });

  it("63 bytes, spaces, quotes, keywords and dots in column names are names", () => {
    for (const name of ["é".repeat(31) + "a", "a desc", 'say "hi"', "select", "a.b", "x as y", " "]) {
      expect(checkIdentifier(name, "column", "test")).toBe(name);
    }
  });
});

describeEachDialect("names round-trip verbatim through DDL, DML and the catalog", (context) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = createEngine(context.url());
    await sql`create table canary (id integer primary key)`.execute(engine.db);
    await sql`insert into canary (id) values (1)`.execute(engine.db);
  });
  afterAll(() => engine.dispose());

  const revision = (work: (op: MigrationOperations) => Promise<void>) =>
    schemaEditorFor(engine.dialect).transaction(engine.db, (trx) => work(createMigrationOperations(engine.dialect, trx)));
  const catalog = async (name: string) => (await engine.backend.typeMapping.readCatalog(engine.db)).find((entry) => entry.name === name);
  const canary = async () => Number((await sql<{ n: unknown }>`select count(*) as n from canary`.execute(engine.db)).rows[0]?.n);
  // What initializeDatabase runs for a table, on this engine (an in-memory database is one per engine).
  const createWithSchemaDdl = async (declared: AnyTable) => {
    const context = await engine.backend.typeMapping.prepare(engine.db, { vectors: false });
    await engine.db.transaction().execute(async (trx) => {
      await createTableQuery(trx, declared.$definition, engine.backend.typeMapping, context).execute();
      for (const query of createIndexQueries(trx, declared.$definition, engine.backend.typeMapping, context)) await query.execute();
    });
  };

  it("an index on a column named 'a desc' indexes that column, ascending (schema DSL and op API)", async () => {
    const spaced = table("spaced", { "a desc": integer(), "a b c": text() }, (t) => [index("ix spaced").on(t["a desc"], t["a b c"])]);
    await createWithSchemaDdl(spaced);
    expect((await catalog("spaced"))?.indexes).toEqual([{ name: "ix spaced", columns: ["a desc", "a b c"], unique: false }]);
    await revision((op) => op.createIndex("spaced", { name: "ix.dotted", columns: ["a b c"], unique: true }));
    expect((await catalog("spaced"))?.indexes).toContainEqual({ name: "ix.dotted", columns: ["a b c"], unique: true });
    await revision((op) => op.dropIndex("spaced", "ix.dotted"));
    expect((await catalog("spaced"))?.indexes.map((entry) => entry.name)).toEqual(["ix spaced"]);
    await sql`drop table spaced`.execute(engine.db);
  });

  it("an enum and a vector column named with a dot are those columns (CHECK, nearest()), not table.column", async () => {
    const dotted = table("dotted", { id: integer().primaryKey(), "kind.x": enumeration(["a", "b"]), "v.x": vector(2) });
    const schema = defineSchema({ dotted });
    const own = createEngine(await context.freshUrl(), { schema });
    try {
      await initializeDatabase(own, schema);
      await own.db.insertInto("dotted").values([{ id: 1, "kind.x": "a", "v.x": [1, 0] }, { id: 2, "kind.x": "b", "v.x": [0, 1] }]).execute();
      await expect(own.db.insertInto("dotted").values({ id: 3, "kind.x": "c" as "a" }).execute()).rejects.toBeInstanceOf(CheckViolationError);
      const [closest] = await nearest(own.db, dotted["v.x"], [0.1, 0.9], { limit: 1 }).execute();
      expect(closest).toMatchObject({ id: 2, "kind.x": "b" });
    } finally {
      await own.dispose();
    }
  });

  it(
    "property: table, column and index names either round-trip exactly or are refused with a typed error",
    async () => {
      // Mostly names a database can keep (so most cases reach it), some that none can.
      const name = fc.oneof(
        { arbitrary: hostileText({ minLength: 1, maxLength: 6, loneSurrogates: false }).map((text) => text.replace(/\u0000/g, "")), weight: 4 },
        { arbitrary: hostileText({ minLength: 0, maxLength: 10 }), weight: 1 },
      );
      await fc.assert(
        fc.asyncProperty(fc.tuple(name, name, name, name), fc.boolean(), async ([tableName, first, second, indexName], viaSchema) => {
          // One namespace per database for tables and indexes; SQLite folds ASCII case.
          const folded = [tableName, indexName, "canary"].map((entry) => entry.toLowerCase());
          fc.pre(new Set(folded).size === 3 && first.toLowerCase() !== second.toLowerCase());
          let names: string[];
          try {
            names = [checkIdentifier(tableName, "table", "test"), checkIdentifier(first, "column", "test"), checkIdentifier(second, "column", "test"), checkIdentifier(indexName, "index", "test")];
          } catch (error) {
            expect(error).toBeInstanceOf(SchemaDefinitionError);
            await expect(revision((op) => op.createTable(tableName, { columns: [{ name: first, type: "integer" }, { name: second, type: "text" }], indexes: [{ name: indexName, columns: [second, first] }] }))).rejects.toBeInstanceOf(SchemaDefinitionError);
            expect(await canary()).toBe(1);
            return;
          }
          try {
            // The schema DSL reserves column names starting with "$" (for its own keys).
            if (viaSchema) await createWithSchemaDdl(table(tableName, { [first]: integer(), [second]: text() }, (t) => [index(indexName).on(t[second]!, t[first]!)]));
            else await revision((op) => op.createTable(tableName, { columns: [{ name: first, type: "integer" }, { name: second, type: "text" }], indexes: [{ name: indexName, columns: [second, first] }] }));
          } catch (error) {
            // The database may still refuse a name it reserves (PostgreSQL's system columns
            // such as "xmin", SQLite's "sqlite_" tables): a typed error, nothing created.
            expect(error).toBeInstanceOf(AthanorError);
            expect(await catalog(tableName)).toBeUndefined();
            expect(await canary()).toBe(1);
            return;
          }
          try {
            await engine.db.insertInto(tableName).values({ [first]: 7, [second]: "seven" }).execute();
            expect(await engine.db.selectFrom(tableName).selectAll().execute()).toEqual([{ [first]: 7, [second]: "seven" }]);
            const read = await catalog(tableName);
            expect(read?.name).toBe(names[0]);
            // The schema DSL declares columns as object keys, which JavaScript orders integer-like keys ("0") first.
            expect(read?.columns.map((column) => column.name)).toEqual(viaSchema ? Object.keys({ [first]: 0, [second]: 0 }) : [first, second]);
            expect(read?.indexes).toEqual([{ name: indexName, columns: [second, first], unique: false }]);
          } finally {
            await sql`drop table ${sql.id(tableName)}`.execute(engine.db);
          }
          expect(await canary()).toBe(1);
        }),
        fuzzOptions(300),
      );
    },
    fuzzTimeout(60_000),
  );
});
