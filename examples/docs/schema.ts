// One schema for every dialect: docs/schema.md's declaration, as a program.
import { createEngine } from "athanor";
import { boolean, defineSchema, index, initializeDatabase, json, table, text, timestamps, uuid, type InferDatabase } from "athanor/schema";

// #region schema
export const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  isActive: boolean().notNull().default(true),
  ...timestamps(),
});
export const agents = table("agents", {
  id: uuid().primaryKey().defaultRandom(),
  ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text().notNull(),
  schedule: text(), // cron expression; NULL = not scheduled
  config: json<{ model: string }>(),
  ...timestamps(),
}, (t) => [index("ix_agents_owner_id").on(t.ownerId)]);

export const schema = defineSchema({ users, agents });
export type DB = InferDatabase<typeof schema>; // Kysely's database type, for code that names it

const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", { schema }); // Engine<DB>, inferred
await initializeDatabase(engine, schema); // create what is missing, in FK order, idempotent
// #endregion schema

const ada = await engine.db.insertInto("users").values({ email: "ada@example.com", name: "Ada" }).returningAll().executeTakeFirstOrThrow();
await engine.db.insertInto("agents").values({ ownerId: ada.id, name: "nightly", schedule: "0 3 * * *", config: { model: "small" } }).execute();
const agent = await engine.db.selectFrom("agents").selectAll().executeTakeFirstOrThrow();
console.log(ada.isActive, ada.createdAt instanceof Date, agent.config?.model); // true true small
await engine.dispose();
