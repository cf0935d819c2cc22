// The schema behind the Fastify examples, and the one declaration that types request.db.
import { defineSchema, table, text, timestamps, uuid, type InferDatabase } from "athanor/schema";

export const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  ...timestamps(),
});
export const agents = table("agents", {
  id: uuid().primaryKey().defaultRandom(),
  ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text().notNull(),
  schedule: text(), // cron expression; NULL = not scheduled
  ...timestamps(),
});
export const messages = table("messages", {
  id: uuid().primaryKey().defaultRandom(),
  agentId: uuid().notNull().references(() => agents.id, { onDelete: "cascade" }),
  body: text().notNull(),
  ...timestamps(),
});
export const schema = defineSchema({ users, agents, messages });
export type DB = InferDatabase<typeof schema>;

// #region registry
declare module "athanor/fastify" {
  interface AthanorFastifyTypes {
    database: DB; // request.db is a Session<DB>, app.athanor.sessions a SessionFactory<DB>
  }
}
// #endregion registry
