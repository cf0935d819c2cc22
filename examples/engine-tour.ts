/**
 * A tour of Athanor's engine and sessions on the embedded SQLite default (or any
 * DATABASE_URL): creates a table, runs units of work, shows a savepoint, a hook,
 * the health report and the pool status.
 *
 *   npm start                                   # ./data/tour.db
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm start
 */
import { sql } from "kysely";
import { createEngine, createSessionFactory, UniqueViolationError } from "../src/index.js";

interface DB {
  tour_agents: { id: number; name: string; schedule: string | null };
}

const url = process.env.DATABASE_URL ?? "sqlite:./data/tour.db";
const engine = createEngine<DB>(url, { pool: { size: 5, acquireTimeoutMillis: 5_000 } });
const sessions = createSessionFactory(engine);

console.log(`engine: ${engine.url} (${engine.dialect})`);
console.log("pool before any statement:", engine.pool.status());

await sql`create table if not exists tour_agents (id integer primary key, name text not null unique, schedule text)`.execute(engine.db);
await sql`delete from tour_agents`.execute(engine.db);

// A unit of work: commits when the callback returns, rolls back when it throws.
await sessions.run(async (db) => {
  await db.insertInto("tour_agents").values({ id: 1, name: "scout", schedule: "*/5 * * * *" }).execute();
  console.log("inside run, checked out:", engine.pool.status().checkedOut);
  // A savepoint: the duplicate name fails, only this block is undone.
  await db
    .nested((sp) => sp.insertInto("tour_agents").values({ id: 2, name: "scout", schedule: null }).execute())
    .catch((error: unknown) => {
      if (!(error instanceof UniqueViolationError)) throw error;
      console.log(`savepoint rolled back: ${error.code} on ${error.table ?? "?"}.${error.column ?? "?"}`);
    });
  await db.insertInto("tour_agents").values({ id: 3, name: "archivist", schedule: null }).execute();
  db.afterCommit(() => console.log("afterCommit: the rows are durable now"));
});

// A failing unit of work leaves nothing behind.
await sessions
  .run(async (db) => {
    await db.insertInto("tour_agents").values({ id: 4, name: "ghost", schedule: null }).execute();
    throw new Error("changed my mind");
  })
  .catch((error: Error) => console.log(`rolled back: ${error.message}`));

const agents = await sessions.run((db) => db.selectFrom("tour_agents").selectAll().orderBy("id").execute(), { readOnly: true });
console.log("agents:", agents);

const scheduled = await engine.db.selectFrom("tour_agents").select("name").where(sql<boolean>`name ${sql.raw(engine.dialect === "postgres" ? "~" : "REGEXP")} ${"^s"}`).execute();
console.log("names matching ^s:", scheduled.map((row) => row.name));

console.log("health:", await engine.healthCheck());
console.log("pool after:", engine.pool.status());
await engine.dispose();
