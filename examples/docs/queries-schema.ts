// The schema the query examples share: seed 002's users, squads and squad members.
import { belongsTo, defineSchema, enumeration, hasMany, index, manyToMany, primaryKey, table, text, timestamps, uuid } from "athanor/schema";

// #region schema
export const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  ...timestamps(),
});

export const squads = table("squads", {
  id: uuid().primaryKey().defaultRandom(),
  userId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text().notNull(),
  status: enumeration(["active", "paused"]).notNull().default("active"),
  ...timestamps(),
}, (t) => [index("ix_squads_user_id").on(t.userId)]);

export const squadMembers = table("squad_members", {
  squadId: uuid().notNull().references(() => squads.id, { onDelete: "cascade" }),
  userId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  role: text().notNull(),
  ...timestamps(),
}, (t) => [primaryKey(t.squadId, t.userId)]);

export const schema = defineSchema({ users, squads, squadMembers });

// Relations, declared next to the tables; the foreign keys come from references().
export const squadMembersOf = hasMany(squads, squadMembers); // squad_members.squadId → squads.id
export const memberUser = belongsTo(squadMembers, users); // squad_members.userId → users.id
export const squadOwner = belongsTo(squads, users); // squads.userId → users.id
export const squadUsers = manyToMany(squads, users, { through: squadMembers });
// #endregion schema
