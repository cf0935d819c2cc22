// PostgreSQL: migrate once into a template, then give every worker (or test file) a copy.
import { createEngine } from "athanor";
import { defineSchema, initializeDatabase, table, text, uuid } from "athanor/schema";
import { createTemplateDatabase, createTestDatabase, dropTemplateDatabase, openSandbox } from "athanor/testing";

const url = process.env.DATABASE_URL ?? "sqlite::memory:";
if (!url.startsWith("postgres")) {
  console.log("template databases are a PostgreSQL feature; on SQLite each worker uses its own in-memory database");
  process.exit(0);
}

const users = table("users", { id: uuid().primaryKey().defaultRandom(), email: text().notNull().unique() });
const schema = defineSchema({ users });

// #region global-setup
// Once per test run (vitest: a globalSetup file). The key names what the template holds:
// with migrations, the revisions' checksums; an unchanged key reuses the last run's template.
const template = await createTemplateDatabase({
  adminUrl: url,
  key: "users-v1",
  prepare: async (templateUrl) => {
    const engine = createEngine(templateUrl, { schema });
    await initializeDatabase(engine, schema); // or: createMigrator(engine, { scripts }).upgrade("head")
    await engine.dispose();
  },
});
// #endregion global-setup

// #region worker
// Once per worker or test file: a copy in milliseconds, with a name no other job uses.
const database = await createTestDatabase("postgres", { adminUrl: url, template: template.name });
const engine = createEngine(database.url, { schema });
await using sandbox = await openSandbox(engine); // then a sandbox per test, as usual
await sandbox.db.insertInto("users").values({ email: "ada@example.com" }).execute();
console.log(await sandbox.db.selectFrom("users").select("email").execute());
// #endregion worker

await sandbox.close();
await engine.dispose();
await database.drop();
await dropTemplateDatabase(template.name, url);
