import { describe, expect, it } from "vitest";
import { SchemaCycleError, SchemaDefinitionError } from "../src/errors.js";
import { defineSchema, enumeration, integer, numeric, primaryKey, sortTables, table, text, timestamps, unique, uuid, vector, type AnyColumnRef } from "../src/schema/index.js";
import { agentPlatform } from "./support/agent-platform-schema.js";

describe("sortTables", () => {
  it("puts referenced tables first and keeps input order for ties", () => {
    expect(
      sortTables([
        { name: "messages", dependsOn: ["conversations", "messages"] },
        { name: "conversations", dependsOn: ["personas"] },
        { name: "users", dependsOn: [] },
        { name: "personas", dependsOn: [] },
      ]),
    ).toEqual(["personas", "conversations", "messages", "users"]);
  });

  it("ignores self-references and tables outside the list", () => {
    expect(sortTables([{ name: "a", dependsOn: ["a", "elsewhere"] }])).toEqual(["a"]);
  });

  it("reports a cycle by name", () => {
    const error = (() => {
      try {
        sortTables([
          { name: "a", dependsOn: ["b"] },
          { name: "b", dependsOn: ["c"] },
          { name: "c", dependsOn: ["a"] },
          { name: "d", dependsOn: [] },
        ]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SchemaCycleError);
    expect((error as SchemaCycleError).cycle).toEqual(["a", "b", "c", "a"]);
    expect((error as SchemaCycleError).message).toContain("a → b → c → a");
    expect((error as SchemaCycleError).code).toBe("SCHEMA_CYCLE");
  });

  it("orders the seed schema so every foreign key points backwards", () => {
    const order = agentPlatform.creationOrder();
    for (const definition of agentPlatform.definitions) {
      for (const foreignKey of definition.foreignKeys) {
        expect(order.indexOf(foreignKey.target().table)).toBeLessThanOrEqual(order.indexOf(definition.name));
      }
    }
  });
});

describe("table declarations", () => {
  it("records columns, keys, constraints and defaults", () => {
    const owners = table("owners", { id: uuid().primaryKey().defaultRandom(), email: text().notNull().unique(), ...timestamps() });
    const pets = table(
      "pets",
      {
        ownerId: uuid().notNull().references(() => owners.id, { onDelete: "cascade", onUpdate: "restrict" }),
        name: text().notNull(),
        kind: enumeration(["cat", "dog"]).notNull().default("cat"),
        age: integer().check("age >= 0"),
      },
      (t) => [primaryKey(t.ownerId, t.name), unique("pets_kind_name").on(t.kind, t.name)],
    );
    expect(owners.$definition.primaryKey).toEqual({ name: "owners_pkey", columns: ["id"] });
    expect(owners.$definition.uniques).toEqual([{ name: "owners_email_key", columns: ["email"] }]);
    expect(owners.$definition.columns.map((column) => column.name)).toEqual(["id", "email", "createdAt", "updatedAt"]);
    expect(owners.updatedAt.definition).toMatchObject({ notNull: true, default: { kind: "now" }, updateNow: true });
    expect(owners.createdAt.definition).toMatchObject({ notNull: true, default: { kind: "now" }, updateNow: false });
    expect(pets.$definition.primaryKey).toEqual({ name: "pets_pkey", columns: ["ownerId", "name"] });
    expect(pets.$definition.uniques).toEqual([{ name: "pets_kind_name", columns: ["kind", "name"] }]);
    expect(pets.$definition.checks).toEqual([{ name: "pets_age_check", expression: "age >= 0" }]);
    const [foreignKey] = pets.$definition.foreignKeys;
    expect(foreignKey).toMatchObject({ name: "pets_ownerId_fkey", columns: ["ownerId"], onDelete: "cascade", onUpdate: "restrict" });
    expect(foreignKey!.target()).toEqual({ table: "owners", columns: ["id"] });
    expect(pets.kind.definition.default).toEqual({ kind: "value", value: "cat" });
    expect(owners.id).toMatchObject({ table: "owners", name: "id" });
  });

  it("renames the timestamps() columns", () => {
    const t = table("t", { id: integer().primaryKey(), ...timestamps({ createdAt: "created_at", updatedAt: "updated_at" }) });
    expect(t.$definition.columns.map((column) => column.name)).toEqual(["id", "created_at", "updated_at"]);
    expect(t.updated_at.definition.updateNow).toBe(true);
  });

  it("is immutable: modifiers return new columns", () => {
    const base = text();
    const required = base.notNull();
    expect(base.definition.notNull).toBe(false);
    expect(required.definition.notNull).toBe(true);
  });

  it.each([
    ["composite key column not NOT NULL", () => table("x", { a: integer(), b: integer().notNull() }, (t) => [primaryKey(t.a, t.b)]), /"a" is part of the primary key; declare it notNull/],
    ["two primary keys", () => table("x", { a: integer().primaryKey(), b: integer().notNull() }, (t) => [primaryKey(t.a, t.b)]), /more than one primary key/],
    ["reserved column name", () => table("x", { $name: integer() }), /reserved/],
    ["identity outside the key", () => table("x", { a: integer().identity() }), /must be the table's primaryKey/],
    ["duplicate enum values", () => enumeration(["a", "a"]), /distinct/],
    ["bad numeric scale", () => numeric(4, 5), /scale/],
    ["bad vector size", () => vector(0), /positive integer/],
    ["defaultNow on text at run time", () => (text() as any).defaultNow(), /timestamp column/],
  ])("rejects %s", (_, declare, message) => {
    expect(declare).toThrow(SchemaDefinitionError);
    expect(declare).toThrow(message);
  });

  it("rejects an index over another table's column", () => {
    const a = table("a", { id: integer().primaryKey() });
    expect(() => table("b", { id: integer().primaryKey() }, () => [unique().on(a.id)])).toThrow(/another table/);
  });
});

describe("defineSchema", () => {
  it("rejects a reference to a table outside the schema", () => {
    const outside = table("outside", { id: uuid().primaryKey() });
    const inside = table("inside", { id: uuid().primaryKey(), outsideId: uuid().references(() => outside.id) });
    expect(() => defineSchema({ inside })).toThrow(/references table "outside", which is not in the schema/);
  });

  it("rejects a reference between different types", () => {
    const parents = table("parents", { id: integer().primaryKey() });
    const children = table("children", { id: uuid().primaryKey(), parentId: uuid().references(() => parents.id) });
    expect(() => defineSchema({ parents, children })).toThrow(/is uuid but references integer column "parents.id"/);
  });

  it("rejects the same table name twice", () => {
    expect(() => defineSchema({ a: table("t", { id: integer().primaryKey() }), b: table("t", { id: integer().primaryKey() }) })).toThrow(/declared twice/);
  });

  it("reports foreign-key cycles when the order is needed", () => {
    const a = table("a", { id: integer().primaryKey(), bId: integer().references((): AnyColumnRef => b.id) });
    const b = table("b", { id: integer().primaryKey(), aId: integer().references((): AnyColumnRef => a.id) });
    const schema = defineSchema({ a, b });
    expect(() => schema.creationOrder()).toThrow(SchemaCycleError);
    expect(() => schema.creationOrder()).toThrow(/a → b → a/);
  });
});
