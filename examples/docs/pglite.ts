// PGlite: PostgreSQL compiled to WebAssembly, in this process: PostgreSQL's SQL and types without a server.
// Runs on its own pglite::memory: URL whatever DATABASE_URL says (npm install @electric-sql/pglite pg).
import { sql } from "kysely";
import { createEngine, createSessionFactory } from "athanor";
import { defineSchema, initializeDatabase, json, table, text, uuid } from "athanor/schema";

const notes = table("notes", { id: uuid().primaryKey().defaultRandom(), title: text().notNull(), tags: json<string[]>().notNull() });
const schema = defineSchema({ notes });

// #region engine
const engine = createEngine("pglite::memory:", { schema }); // or "pglite:./data/pg": a data directory on disk
const sessions = createSessionFactory(engine);
await initializeDatabase(engine, schema);
await sessions.run((db) => db.insertInto("notes").values({ title: "tea", tags: ["green", "hot"] }).execute());
// PostgreSQL itself: jsonb operators, gen_random_uuid(), real transactions.
const tagged = await engine.db.selectFrom("notes").select("title").where(sql<boolean>`tags ? 'green'`).execute();
const { version } = await engine.healthCheck(); // "PostgreSQL 18.6 (PGlite 0.5.14)"
// #endregion engine
console.log(tagged, version?.startsWith("PostgreSQL")); // [ { title: 'tea' } ] true
await engine.dispose();
