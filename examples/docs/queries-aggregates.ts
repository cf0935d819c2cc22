// Group by and aggregates: the same numbers on SQLite and PostgreSQL.
import { createEngine } from "athanor";
import { initializeDatabase } from "athanor/schema";
import { schema } from "./queries-schema.js";

const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
await initializeDatabase(engine, schema);
const owner = await engine.db.insertInto("users").values({ email: "o@example.com", name: "Owner" }).returning("id").executeTakeFirstOrThrow();
for (const name of ["core", "edge"]) {
  const squad = await engine.db.insertInto("squads").values({ userId: owner.id, name }).returning("id").executeTakeFirstOrThrow();
  if (name === "core") await engine.db.insertInto("squad_members").values({ squadId: squad.id, userId: owner.id, role: "lead" }).execute();
}

// #region group-by
const memberCounts = await engine.db
  .selectFrom("squads")
  .leftJoin("squad_members", "squad_members.squadId", "squads.id")
  .select(["squads.name"])
  .select((eb) => [eb.fn.count("squad_members.userId").as("members"), eb.fn.max("squad_members.createdAt").as("lastJoined")])
  .groupBy("squads.name")
  .orderBy("squads.name")
  .execute();
// [{ name: "core", members: 1, lastJoined: Date }, { name: "edge", members: 0, lastJoined: null }]
// #endregion group-by
console.log(memberCounts);

await engine.dispose();
