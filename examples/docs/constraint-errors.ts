import { createEngine, createSessionFactory, ForeignKeyViolationError, UniqueViolationError } from "athanor";
import { defineSchema, initializeDatabase, table, text, uuid } from "athanor/schema";

const users = table("users", { id: uuid().primaryKey().defaultRandom(), email: text().notNull().unique(), name: text().notNull() });
const squads = table("squads", { id: uuid().primaryKey().defaultRandom(), ownerId: uuid().notNull().references(() => users.id), name: text().notNull() });
const schema = defineSchema({ users, squads });
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
const sessions = createSessionFactory(engine);
await initializeDatabase(engine, schema);

// #region email-exists
// Seed 002's IntegrityError → 400 "Email already exists", with no dialect branch.
async function createUser(email: string, name: string): Promise<{ status: number; body: unknown }> {
  try {
    const user = await sessions.run((db) => db.insertInto("users").values({ email, name }).returning(["id", "email"]).executeTakeFirstOrThrow());
    return { status: 201, body: user };
  } catch (error) {
    if (error instanceof UniqueViolationError && error.table === "users" && error.columns.includes("email")) {
      return { status: 400, body: { detail: "Email already exists" } };
    }
    throw error;
  }
}

await createUser("ada@example.com", "Ada");
const duplicate = await createUser("ada@example.com", "Ada again");
console.log(duplicate); // { status: 400, body: { detail: 'Email already exists' } }
// #endregion email-exists

// #region fields
// The same three fields on SQLite and PostgreSQL, from the database or else from the schema.
const error = await sessions
  .run((db) => db.insertInto("squads").values({ ownerId: "00000000-0000-4000-8000-000000000000", name: "orphans" }).execute())
  .catch((caught: unknown) => caught);
if (error instanceof ForeignKeyViolationError) {
  console.log(error.table, error.columns, error.constraint); // squads [ 'ownerId' ] squads_ownerId_fkey
}
// #endregion fields

if (duplicate.status !== 400 || !(error instanceof ForeignKeyViolationError) || error.constraint !== "squads_ownerId_fkey") throw new Error("unexpected");
await engine.dispose();
