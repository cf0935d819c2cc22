import { bigint, defineSchema, integer, table, text, type InferDatabase } from "../src/schema/index.js";

/**
 * The bench tables declared with Athanor's schema, for the contenders that run "the documented
 * way" (`createEngine(url, { schema })`). The fixtures create the tables with plain DDL, the same
 * for every contender; this declaration matches them.
 */
export const benchSchema = defineSchema({
  bench_groups: table("bench_groups", { id: integer().primaryKey(), label: text().notNull() }),
  bench_items: table("bench_items", {
    id: integer().primaryKey(),
    name: text().notNull(),
    counter: integer().notNull(),
    group_id: integer().notNull(),
  }),
  bench_events: table("bench_events", {
    id: bigint({ mode: "number" }).primaryKey().identity(),
    item_id: integer().notNull(),
    amount: integer().notNull(),
  }),
});

export type BenchSchemaDatabase = InferDatabase<typeof benchSchema>;
