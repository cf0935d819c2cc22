import { bigserial, integer as pgInteger, pgTable, text as pgText } from "drizzle-orm/pg-core";
import { integer as sqliteInteger, sqliteTable, text as sqliteText } from "drizzle-orm/sqlite-core";

/** The bench tables as Drizzle declares them, on PostgreSQL. */
export const pgTables = {
  items: pgTable("bench_items", {
    id: pgInteger("id").primaryKey(),
    name: pgText("name").notNull(),
    counter: pgInteger("counter").notNull(),
    groupId: pgInteger("group_id").notNull(),
  }),
  groups: pgTable("bench_groups", { id: pgInteger("id").primaryKey(), label: pgText("label").notNull() }),
  events: pgTable("bench_events", {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    item_id: pgInteger("item_id").notNull(),
    amount: pgInteger("amount").notNull(),
  }),
};

/** The bench tables as Drizzle declares them, on SQLite. */
export const sqliteTables = {
  items: sqliteTable("bench_items", {
    id: sqliteInteger("id").primaryKey(),
    name: sqliteText("name").notNull(),
    counter: sqliteInteger("counter").notNull(),
    groupId: sqliteInteger("group_id").notNull(),
  }),
  groups: sqliteTable("bench_groups", { id: sqliteInteger("id").primaryKey(), label: sqliteText("label").notNull() }),
  events: sqliteTable("bench_events", {
    id: sqliteInteger("id").primaryKey({ autoIncrement: true }),
    item_id: sqliteInteger("item_id").notNull(),
    amount: sqliteInteger("amount").notNull(),
  }),
};
