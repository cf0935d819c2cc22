import { createEngine, createSessionFactory, UniqueViolationError } from "athanor";
import { defineSchema, index, initializeDatabase, table, text, timestamps, uuid, json } from "athanor/schema";

// schema.ts: one declaration for every dialect; query types, DDL and migrations come from it
export const agents = table("agents", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull().unique(),
  schedule: text(), // cron expression; NULL = not scheduled
  config: json<{ model: string }>(),
  ...timestamps(),
}, (t) => [index("ix_agents_schedule").on(t.schedule)]);
export const schema = defineSchema({ agents });

// database.ts: the single source of truth for connection settings
export const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", {
  schema, // the database type is inferred from it; values read back alike on every dialect
  pool: { size: 10, maxOverflow: 20, prePing: true, recycleMillis: 300_000, acquireTimeoutMillis: 30_000 },
});
export const sessions = createSessionFactory(engine); // like sessionmaker

await initializeDatabase(engine, schema); // or: npx athanor upgrade head

// a unit of work: commit on return, rollback on throw, always closed
const id = await sessions.run(async (db) => {
  const agent = await db
    .insertInto("agents")
    .values({ name: "scout", schedule: "0 3 * * *", config: { model: "small" } })
    .onConflict((oc) => oc.column("name").doUpdateSet({ schedule: "0 3 * * *" })) // an upsert: run it again, it still works
    .returning("id")
    .executeTakeFirstOrThrow();
  await db.nested(async (sp) => {
    // a SAVEPOINT: a throw here undoes only this block
    await sp.insertInto("agents").values({ name: "scout", schedule: null, config: null }).execute();
  }).catch((error) => {
    if (!(error instanceof UniqueViolationError)) throw error; // the duplicate is undone, the rest goes on
  });
  db.afterCommit(() => console.log(`agent ${agent.id} is durable`)); // only once the data is committed
  return agent.id;
});

// row locks, and retries of serialization failures and deadlocks
await sessions.run(async (db) => {
  const agent = await db.selectFrom("agents").selectAll().where("id", "=", id).forUpdate().executeTakeFirstOrThrow();
  await db.updateTable("agents").set({ schedule: null }).where("id", "=", agent.id).execute();
}, { isolationLevel: "serializable", retry: { maxAttempts: 5 } });

// manual control, closed (and rolled back if uncommitted) at the end of the scope
{
  await using db = sessions.open();
  await db.insertInto("agents").values({ name: "reporter", schedule: "*/5 * * * *", config: null }).onConflict((oc) => oc.doNothing()).execute();
  await db.commit();
}

const agent = await engine.db.selectFrom("agents").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
console.log(agent.createdAt instanceof Date, agent.config?.model); // true small, on SQLite and PostgreSQL
console.log(await engine.healthCheck()); // { status, message, database, version, host, port, latencyMillis, pool }
console.log(engine.pool.status()); // { size, total, checkedOut, idle, overflow, waiting, created, destroyed, timeouts }
await engine.dispose();
