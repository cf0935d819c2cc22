import { afterEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import {
  bigint, boolean, bytes, date, defineSchema, dropAll, enumeration, float, initializeDatabase, integer, introspectSchema, json, numeric, table, text, timestamp,
  toSchemaModel, uniqueIndex, index, uuid, varchar, vector, type Schema,
} from "../src/schema/index.js";
import { agentPlatform } from "./support/agent-platform-schema.js";
import { describeEachDialect } from "./support/each-dialect.js";

const counters = table(
  "counters",
  {
    id: integer().primaryKey().identity(),
    name: varchar(64).notNull().default("it's"),
    total: bigint().notNull().default(10n),
    negative: integer().default(-1),
    ratio: float().default(0.25),
    price: numeric(8, 3).default("1.5"),
    enabled: boolean().notNull().default(false),
    startsAt: timestamp().default(new Date("2024-01-02T03:04:05.000Z")),
    day: date().default("2024-01-02"),
    settings: json<{ a: number[] }>().default({ a: [1, 2] }),
    kind: enumeration(["a", "b'quote"]).default("a"),
    raw: bytes(),
    embedding: vector(4).notNull(),
    note: text(),
  },
  (t) => [uniqueIndex("ux_counters_name_kind").on(t.name, t.kind), index("ix_counters_day").on(t.day)],
);
const everything = defineSchema({ counters });

describeEachDialect("introspectSchema", (dialect) => {
  // The engine carries the schema under test, so its values are encoded (vectors, JSON) like an application's.
  let engine: Engine;
  const open = (schema: Schema) => (engine = createEngine(dialect.url(), { schema }));
  afterEach(async () => {
    await dropAll(engine, agentPlatform);
    await dropAll(engine, everything);
    await engine.dispose();
  });

  const roundTrip = async (schema: Schema) => {
    open(schema);
    await initializeDatabase(engine, schema);
    const live = await introspectSchema(engine, { tables: schema.definitions.map((table) => table.name) });
    expect(live).toEqual(toSchemaModel(schema));
    return live;
  };

  it("reads the seed schema back into an equal model", async () => {
    const live = await roundTrip(agentPlatform);
    const states = live.tables.find((table) => table.name === "conversation_states")!;
    expect(states.uniques).toEqual([["conversationId", "personaId", "moduleId", "stateKey"]]);
    const memory = live.tables.find((table) => table.name === "conversation_memory")!;
    expect(memory.foreignKeys.map((fk) => [fk.columns[0], fk.referencedTable, fk.onDelete])).toEqual([
      ["conversationId", "conversations", "cascade"],
      ["firstMessageId", "messages", "set null"],
      ["personaId", "personas", "set null"],
    ]);
    expect(memory.columns.find((column) => column.name === "embedding")!.type).toEqual({ kind: "vector", dimensions: 3 });
    expect(memory.checks).toEqual(["conversation_memory_importance_range"]);
    const members = live.tables.find((table) => table.name === "squad_members")!;
    expect(members.primaryKey).toEqual(["squadId", "userId"]);
    const users = live.tables.find((table) => table.name === "users")!;
    expect(users.columns.find((column) => column.name === "planTier")).toEqual({
      name: "planTier", type: { kind: "enum", values: ["free", "pro", "enterprise"] }, nullable: false, default: { kind: "value", value: "free" }, identity: false,
    });
    expect(users.columns.find((column) => column.name === "id")!.default).toEqual({ kind: "randomUuid" });
    expect(users.columns.find((column) => column.name === "createdAt")!.default).toEqual({ kind: "now" });
  });

  it("reads every type, literal default, identity and index back", async () => {
    const live = await roundTrip(everything);
    const [counter] = live.tables;
    expect(counter!.columns.find((column) => column.name === "id")).toMatchObject({ identity: true, nullable: false });
    expect(counter!.columns.find((column) => column.name === "settings")!.default).toEqual({ kind: "value", value: { a: [1, 2] } });
    expect(counter!.columns.find((column) => column.name === "price")!.default).toEqual({ kind: "value", value: "1.500" });
    expect(counter!.indexes).toEqual([
      { name: "ix_counters_day", columns: ["day"], unique: false },
      { name: "ux_counters_name_kind", columns: ["name", "kind"], unique: true },
    ]);
    await engine.db.insertInto("counters").values({ embedding: [1, 2, 3, 4] }).execute();
    await engine.db.insertInto("counters").values({ name: "second", embedding: [1, 2, 3, 4] }).execute();
    const ids = await engine.db.selectFrom("counters").select("id").orderBy("id").execute();
    expect(ids.map((row) => Number(row.id))).toEqual([1, 2]);
  });

  it("sees what is missing: a dropped index differs from the declaration", async () => {
    open(everything);
    await initializeDatabase(engine, everything);
    await engine.db.schema.dropIndex("ix_counters_day").execute();
    const live = await introspectSchema(engine, { tables: ["counters"] });
    expect(live).not.toEqual(toSchemaModel(everything));
    expect(live.tables[0]!.indexes.map((index) => index.name)).toEqual(["ux_counters_name_kind"]);
  });
});
