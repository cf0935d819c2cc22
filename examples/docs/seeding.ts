import { createEngine, createSessionFactory } from "athanor";
import { initializeDatabase } from "athanor/schema";
import { seed } from "athanor/seed";
import { fixtures } from "./seeding-fixtures.js";
import { schema } from "./seeding-schema.js";

const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
const sessions = createSessionFactory(engine);
await initializeDatabase(engine, schema);

// #region seed
const first = await seed(sessions, schema, fixtures);
if (!first.ok) throw first.error; // SeedError: table, row, fixture name, column
for (const table of first.tables) console.log(`${table.table}: +${table.inserted} ~${table.updated} =${table.unchanged}`);
// users: +2 ~0 =0, squads: +1 ~0 =0, squad_members: +2 ~0 =0

// Run it again (every deploy, every replica): rows are found by their natural keys, nothing changes.
const again = await seed(sessions, schema, fixtures);
console.log(again.ok && again.tables.every((table) => table.inserted === 0 && table.updated === 0)); // true
// #endregion seed

const members = await engine.db
  .selectFrom("squad_members")
  .innerJoin("users", "users.id", "squad_members.userId")
  .select(["users.email", "squad_members.role"])
  .orderBy("users.email")
  .execute();
console.log(members); // [ { email: 'ada@example.com', role: 'project_manager' }, { email: 'grace@example.com', role: 'backend_developer' } ]
if (members.length !== 2 || !again.ok) throw new Error("unexpected");
await engine.dispose();
