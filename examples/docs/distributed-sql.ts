// CockroachDB and YugabyteDB: the examples of docs/distributed-sql.md. Runs on any DATABASE_URL.
import { fileURLToPath } from "node:url";
import { CommitOutcomeUnknownError, createEngine, createSessionFactory } from "athanor";
import { createMigrator, loadRevisionScripts } from "athanor/migrate";

const folder = fileURLToPath(new URL("./migrations", import.meta.url)); // the create-users revision of docs/migrations.md

// #region engine
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", {
  postgres: { migrationLock: "table" }, // a row of athanor_migration_lock instead of advisory locks
});
const sessions = createSessionFactory(engine, { retry: { maxAttempts: 5, baseDelayMillis: 10 } }); // 40001 is routine there
const migrated = await createMigrator(engine, { scripts: await loadRevisionScripts(folder) }).upgrade("head");
// #endregion engine
if (!migrated.ok) throw migrated.error;

// #region ambiguous
try {
  await sessions.run(async (db) => {
    await db.insertInto("users").values({ id: crypto.randomUUID(), email: "ada@example.com", name: "Ada" }).execute();
  }); // re-run from the start after a serialization failure (40001), up to 5 attempts
} catch (error) {
  // CockroachDB's 40003 (result is ambiguous): the commit may or may not have happened. Never retried.
  if (!(error instanceof CommitOutcomeUnknownError)) throw error;
  const saved = await sessions.run((db) => db.selectFrom("users").select("id").where("email", "=", "ada@example.com").executeTakeFirst());
  if (saved === undefined) throw error;
}
// #endregion ambiguous

console.log(migrated.steps.length); // 1
await engine.dispose();
