import { createEngine, createSessionFactory, SessionJoinError, UniqueViolationError } from "athanor";
import { defineSchema, initializeDatabase, table, text, uuid } from "athanor/schema";

const users = table("users", { id: uuid().primaryKey().defaultRandom(), email: text().notNull().unique() });
const auditLog = table("audit_log", { id: uuid().primaryKey().defaultRandom(), entry: text().notNull() });
const schema = defineSchema({ users, auditLog });
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
const sessions = createSessionFactory(engine);
await initializeDatabase(engine, schema);

// #region join
// Services run their own unit of work, and join the caller's when there is one.
function registerUser(email: string) {
  return sessions.run(async (db) => {
    await db.insertInto("users").values({ email }).execute();
    await audit(`registered ${email}`);
  });
}
function audit(entry: string) {
  return sessions.run((db) => db.insertInto("audit_log").values({ entry }).execute());
}

await registerUser("ada@example.com"); // one transaction: the user and its audit entry

await sessions
  .run(async () => {
    await registerUser("grace@example.com");
    await registerUser("ada@example.com"); // duplicate: the whole outer unit rolls back
  })
  .catch((error) => {
    if (!(error instanceof UniqueViolationError)) throw error;
  });
// #endregion join

// #region nested
// propagation "nested": the inner unit is a savepoint; its failure undoes only its own work.
await sessions.run(async () => {
  for (const email of ["linus@example.com", "ada@example.com", "barbara@example.com"]) {
    await sessions.run(() => registerUser(email), { propagation: "nested" }).catch((error) => {
      if (!(error instanceof UniqueViolationError)) throw error; // ada exists: skip her, keep the rest
    });
  }
});
// #endregion nested

// #region refused
// A joined run may not ask for another isolation level than the transaction it joins.
await sessions.run(async () => {
  await sessions.run(async () => undefined, { isolationLevel: "serializable" }).catch((error) => {
    if (!(error instanceof SessionJoinError)) throw error;
    console.log(`refused: ${error.option}`); // refused: isolationLevel
  });
});
// #endregion refused

const emails = (await engine.db.selectFrom("users").select("email").orderBy("email").execute()).map((row) => row.email);
const entries = await engine.db.selectFrom("audit_log").select("entry").execute();
console.log(emails, entries.length); // [ 'ada@example.com', 'barbara@example.com', 'linus@example.com' ] 3
if (emails.join() !== "ada@example.com,barbara@example.com,linus@example.com" || entries.length !== 3) throw new Error("unexpected rows");
await engine.dispose();
