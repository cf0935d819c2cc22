// The engine: one per database and process, made at start-up, disposed at shutdown.
import { createEngine } from "athanor";
import { defineSchema, initializeDatabase, table, text, uuid } from "athanor/schema";

const users = table("users", { id: uuid().primaryKey().defaultRandom(), email: text().notNull().unique() });
const schema = defineSchema({ users });
const logger = {
  debug: (_fields: object, _message: string) => {},
  info: (fields: object, message: string) => console.log(message, fields),
  warn: (fields: object, message: string) => console.warn(message, fields),
  error: (fields: object, message: string) => console.error(message, fields),
};
const durations: number[] = [];

// #region create
export const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", {
  schema,
  pool: { size: 10, maxOverflow: 20, prePing: true, recycleMillis: 300_000, acquireTimeoutMillis: 30_000 },
  log: (record) => logger[record.level]({ sql: record.sql, ms: record.durationMillis }, record.message),
});

await initializeDatabase(engine, schema);
await engine.db.selectFrom("users").selectAll().execute(); // autocommit: one checkout per statement
// #endregion create

// #region events
engine.on("query", ({ durationMillis }) => void durations.push(durationMillis));
engine.on("leak", ({ ageMillis, stack }) => logger.warn({ ageMillis, stack }, "connection leak"));
engine.on("error", ({ error }) => logger.error({ code: error.code }, error.message));
// #endregion events

await engine.db.insertInto("users").values({ email: "ada@example.com" }).execute();
console.log(durations.length, engine.pool.status());
await engine.dispose();
