import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresTypeMapping } from "../src/backends/postgres/postgres-type-mapping.js";
import { schemaEditorFor } from "../src/backends/schema-editor-for.js";
import { sqliteTypeMapping } from "../src/backends/sqlite/sqlite-type-mapping.js";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { AthanorError, SchemaDefinitionError } from "../src/errors.js";
import { createMigrationOperations, type MigrationOperations } from "../src/migrate/migration-operations.js";
import type { Operation } from "../src/migrate/operations/operation.js";
import { checkPortableType } from "../src/schema/check-portable-type.js";
import { enumeration, integer, numeric, text, varchar, vector } from "../src/schema/index.js";
import type { PortableType } from "../src/schema/portable-type.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { fuzzOptions, fuzzTimeout } from "./support/fuzz-runs.js";
import { hostileText } from "./support/hostile-text.js";

const PAYLOAD = "10)); drop table canary; --";

/** A type parameter as a caller might pass it: valid integers, edges, and everything else. */
const parameter = fc.oneof(
  { arbitrary: fc.integer({ min: -2, max: 20 }), weight: 4 },
  { arbitrary: fc.constantFrom(0, 1, 999, 1000, 1001, 15_999, 16_000, 16_001, 10_485_760, 10_485_761, 2 ** 31, -1), weight: 2 },
  { arbitrary: fc.constantFrom(1.5, Number.NaN, Infinity, -Infinity, -0), weight: 1 },
  { arbitrary: fc.constantFrom<unknown>(PAYLOAD, "10", 10n, null, undefined, [10], { valueOf: () => 10 }, true), weight: 1 },
  { arbitrary: hostileText({ maxLength: 3 }), weight: 1 },
);

/** A portable type with generated parameters, sometimes with an extra key or an unknown kind. */
const portableType: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ kind: fc.constant("varchar"), length: parameter }),
  fc.record({ kind: fc.constant("numeric"), precision: parameter, scale: parameter }),
  fc.record({ kind: fc.constant("vector"), dimensions: parameter }),
  fc.record({ kind: fc.constant("enum"), values: fc.array(fc.oneof(hostileText({ maxLength: 4 }), parameter), { maxLength: 3 }) }),
  fc.record({ kind: fc.constantFrom("text", "integer", "varchar; drop table canary", "", "unknown") }),
  fc.record({ kind: fc.constant("varchar"), length: fc.integer({ min: 1, max: 99 }), size: parameter }),
);

/** The SQL type each backend writes: one well-formed type, nothing after it. */
const SQL_TYPE = /^(varchar\(\d+\)|numeric\(\d+, \d+\)|vector\(\d+\)|real\[\]|text|integer|VARCHAR\(\d+\)|NUMERIC\(\d+, \d+\)|VECTOR\(\d+\)|TEXT|INTEGER)$/;

describe("type parameters are checked where they enter", () => {
  it.each<[string, () => unknown]>([
    ["varchar(payload)", () => varchar(PAYLOAD as unknown as number)],
    ["numeric(payload)", () => numeric(PAYLOAD as unknown as number)],
    ["numeric(10, payload)", () => numeric(10, PAYLOAD as unknown as number)],
    ["vector(payload)", () => vector(PAYLOAD as unknown as number)],
    ["varchar(1.5)", () => varchar(1.5)],
    ["varchar(2 ** 40)", () => varchar(2 ** 40)],
    ["numeric(1001)", () => numeric(1001)],
    ["vector(16_001)", () => vector(16_001)],
    ["enumeration with NUL", () => enumeration(["a\u0000b"])],
    ["an integer default that is SQL", () => integer().default(PAYLOAD as unknown as number)],
  ])("the schema DSL refuses %s", (_, declare) => {
    expect(declare).toThrow(SchemaDefinitionError);
  });

  it("an enum value is a quoted literal, whatever it holds", () => {
    expect(enumeration(["'); drop table canary; --"]).definition.type).toEqual({ kind: "enum", values: ["'); drop table canary; --"] });
    expect(text().default("'); drop table canary; --").definition.default).toEqual({ kind: "value", value: "'); drop table canary; --" });
  });

  it("property: a checked type renders as one SQL type on both backends; anything else is a SchemaDefinitionError", () => {
    fc.assert(
      fc.property(portableType, (type) => {
        let checked: PortableType;
        try {
          checked = checkPortableType(type, "test");
        } catch (error) {
          expect(error).toBeInstanceOf(SchemaDefinitionError);
          return;
        }
        if (checked.kind === "unknown" || checked.kind === "enum") return;
        for (const context of [{ vectorStorage: "pgvector" as const }, { vectorStorage: "real-array" as const }]) {
          expect(postgresTypeMapping.columnType(checked, context)).toMatch(SQL_TYPE);
        }
        expect(sqliteTypeMapping.columnType(checked, { vectorStorage: "float32-blob" })).toMatch(SQL_TYPE);
      }),
      fuzzOptions(5_000),
    );
  });
});

describeEachDialect("the op API refuses type parameters that are not integers in range, and the canary survives", (context) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = createEngine(context.url());
    await sql`create table canary (id integer primary key)`.execute(engine.db);
    await sql`insert into canary (id) values (1)`.execute(engine.db);
  });
  afterAll(() => engine.dispose());

  const revision = (work: (op: MigrationOperations) => Promise<void>) =>
    schemaEditorFor(engine.dialect).transaction(engine.db, (trx) => work(createMigrationOperations(engine.dialect, trx)));
  const canary = async () => Number((await sql<{ n: unknown }>`select count(*) as n from canary`.execute(engine.db)).rows[0]?.n);
  const column = (type: unknown) => ({ name: "c", type: type as PortableType, nullable: true, default: undefined, identity: false });

  it.each<[string, (op: MigrationOperations) => Promise<void>]>([
    ["createTable varchar", (op) => op.createTable("t1", { columns: [{ name: "c", type: { kind: "varchar", length: PAYLOAD as unknown as number } }] })],
    ["addColumn numeric precision", (op) => op.addColumn("canary", { name: "c", type: { kind: "numeric", precision: PAYLOAD as unknown as number, scale: 0 } })],
    ["addColumn numeric scale", (op) => op.addColumn("canary", { name: "c", type: { kind: "numeric", precision: 10, scale: PAYLOAD as unknown as number } })],
    ["alterColumn type", (op) => op.alterColumn("canary", "id", { type: { kind: "varchar", length: PAYLOAD as unknown as number } })],
    ["addColumn vector", (op) => op.addColumn("canary", { name: "c", type: { kind: "vector", dimensions: PAYLOAD as unknown as number } })],
    ["addColumn integer default", (op) => op.addColumn("canary", { name: "c", type: "integer", default: { value: "1; drop table canary" } })],
    ["addForeignKey action", (op) => op.addForeignKey("canary", { columns: ["id"], referencedTable: "canary", referencedColumns: ["id"], onDelete: "cascade; drop table canary" as "cascade" })],
    ["apply(addColumn) as data", (op) => op.apply({ kind: "addColumn", table: "canary", column: column({ kind: "varchar", length: PAYLOAD }) } as Operation)],
    ["apply(addColumn) with a default of unknown kind", (op) => op.apply({ kind: "addColumn", table: "canary", column: { ...column("integer"), type: { kind: "integer" }, default: { kind: "evil" } } } as unknown as Operation)],
    ["apply(unknown kind) as data", (op) => op.apply({ kind: "addColumn", table: "canary", column: column({ kind: "varchar) ; drop table canary; --" }) } as Operation)],
  ])("%s", async (_, work) => {
    await expect(revision(work)).rejects.toBeInstanceOf(SchemaDefinitionError);
    expect(await canary()).toBe(1);
  });

  it("an enum value full of SQL is stored as a value, and the CHECK holds it", async () => {
    const hostile = "'); drop table canary; --";
    await revision((op) => op.createTable("enum_t", { columns: [{ name: "v", type: { kind: "enum", values: [hostile, "b"] } }] }));
    await engine.db.insertInto("enum_t").values({ v: hostile }).execute();
    await expect(engine.db.insertInto("enum_t").values({ v: "c" }).execute()).rejects.toBeInstanceOf(AthanorError);
    expect(await engine.db.selectFrom("enum_t").selectAll().execute()).toEqual([{ v: hostile }]);
    expect(await canary()).toBe(1);
  });

  it(
    "property: valid parameters run their DDL and read back from the catalog; invalid ones are refused; the canary survives",
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(portableType, async (type) => {
          const table = `tp_${n++}`;
          let valid = true;
          try {
            checkPortableType(type, "test");
          } catch {
            valid = false;
          }
          const result = await revision(async (op) => {
            await op.createTable(table, { columns: [{ name: "id", type: "integer", nullable: false }], primaryKey: ["id"] });
            await op.addColumn(table, { name: "c", type: type as PortableType });
          }).then(
            () => undefined,
            (error: unknown) => error,
          );
          if (!valid) {
            expect(result).toBeInstanceOf(SchemaDefinitionError);
          } else {
            expect(result).toBeUndefined();
            const catalog = (await engine.backend.typeMapping.readCatalog(engine.db)).find((entry) => entry.name === table)!;
            const read = catalog.columns.find((entry) => entry.name === "c")!;
            const check = catalog.checks.find((entry) => entry.name.endsWith("_dims"))?.sql;
            const back = engine.backend.typeMapping.parseColumnType(read.sqlType, check);
            const kind = (type as PortableType).kind;
            // An enum is text plus a CHECK; -0 is written 0.
            if (kind === "enum") expect(back.kind).toBe("text");
            else expect(back).toEqual(JSON.parse(JSON.stringify(type)));
            await sql`drop table ${sql.id(table)}`.execute(engine.db);
          }
          expect(await canary()).toBe(1);
        }),
        fuzzOptions(120),
      );
    },
    fuzzTimeout(60_000),
  );
});
