// Eager loading without N+1: seed 002's joinedload(Squad.members), in one statement.
import { createEngine } from "athanor";
import { initializeDatabase, loadMany, loadOne } from "athanor/schema";
import { memberUser, schema, squadMembersOf, squadOwner, squadUsers } from "./queries-schema.js";

const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
await initializeDatabase(engine, schema);
const ada = await engine.db.insertInto("users").values({ email: "ada@example.com", name: "Ada" }).returning("id").executeTakeFirstOrThrow();
const bob = await engine.db.insertInto("users").values({ email: "bob@example.com", name: "Bob" }).returning("id").executeTakeFirstOrThrow();
const squad = await engine.db.insertInto("squads").values({ userId: ada.id, name: "core" }).returning("id").executeTakeFirstOrThrow();
await engine.db.insertInto("squad_members").values([{ squadId: squad.id, userId: ada.id, role: "lead" }, { squadId: squad.id, userId: bob.id, role: "member" }]).execute();

// #region load
const squads = await engine.db
  .selectFrom("squads")
  .selectAll()
  .select((eb) => [
    // Each member with their user, newest first, at most 10: nested, filtered, ordered, limited.
    loadMany(eb, squadMembersOf, (q) => q.orderBy("createdAt", "desc").limit(10).select((m) => ["role", "createdAt", loadOne(m, memberUser).as("user")])).as("members"),
    loadOne(eb, squadOwner, (q) => q.select(["id", "name"])).as("owner"),
    loadMany(eb, squadUsers, (q) => q.select(["users.email"]).orderBy("users.email")).as("people"),
  ])
  .where("squads.status", "=", "active")
  .execute();

const [core] = squads;
core!.members[0]!.createdAt instanceof Date; // true: the schema's values at every depth, on every dialect
console.log(core!.owner, core!.members.map((member) => `${member.user?.name} (${member.role})`), core!.people);
// #endregion load

await engine.dispose();
