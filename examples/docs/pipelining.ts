// Pipelining on PostgreSQL: many concurrent autocommit reads share two connections, written one after
// another without waiting for the answers. Runs anywhere: on SQLite the option is ignored and the same code works.
import { createEngine, createSessionFactory } from "athanor";
import { defineSchema, initializeDatabase, integer, table, text } from "athanor/schema";

const articles = table("articles", { id: integer().primaryKey(), title: text().notNull() });
const schema = defineSchema({ articles });

// #region create
export const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", {
  schema,
  pool: { size: 10 }, // sessions and transactions: a connection each, as always
  postgres: { pipeline: 2 }, // autocommit statements on engine.db: two shared, pipelined connections
});
export const sessions = createSessionFactory(engine);
// #endregion create

await initializeDatabase(engine, schema);
await sessions.run((db) => db.insertInto("articles").values(Array.from({ length: 100 }, (_, i) => ({ id: i, title: `article ${i}` }))).execute());

// #region pipelined
// 100 concurrent reads: on PostgreSQL they go out over the two pipelined connections; the pool lends none.
const titles = await Promise.all(
  Array.from({ length: 100 }, (_, id) => engine.db.selectFrom("articles").select("title").where("id", "=", id).executeTakeFirstOrThrow()),
);
console.log(titles.length, engine.pool.status().checkedOut); // 100 0
// #endregion pipelined

// #region not-pipelined
// A session (or engine.db.transaction(), or engine.db.connection()) holds a pooled connection of its
// own, so its statements run in its one transaction, never between other callers' statements.
await sessions.run(async (db) => {
  await db.updateTable("articles").set({ title: "renamed" }).where("id", "=", 0).execute();
  await db.deleteFrom("articles").where("id", "=", 99).execute();
});
// #endregion not-pipelined

// #region status
const { pipelineConnections, pipelined } = engine.pool.status(); // undefined when pipelining is off
console.log(pipelineConnections ?? 0, pipelined ?? 0); // e.g. 2 0
// #endregion status
await engine.dispose();
