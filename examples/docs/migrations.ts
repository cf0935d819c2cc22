// Migrations as functions (what the athanor CLI runs): the examples of docs/migrations.md.
import { cp, mkdtemp, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine } from "athanor";
import { autogenerateRevision, checkSchema, createMigrator, diffSchemas, loadRevisionScripts } from "athanor/migrate";
import { defineSchema, introspectSchema, table, text, toSchemaModel, uuid, varchar } from "athanor/schema";

const folder = fileURLToPath(new URL("./migrations", import.meta.url)); // holds the create-users revision above
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:");

// #region migrator
const migrator = createMigrator(engine, { scripts: await loadRevisionScripts(folder) });
const result = await migrator.upgrade("head"); // { ok, steps: [{ revision, status, durationMillis, error }], headsBefore, headsAfter, error }
if (!result.ok) throw result.error;
await migrator.downgrade("-1");
await migrator.stamp("head");
console.log(await migrator.status()); // { heads, applied, scriptHeads }
// #endregion migrator

await migrator.stamp("base");
await migrator.upgrade("head");

// The declared schema, one step ahead of the migrations: users gained agents.
const users = table("users", { id: uuid().primaryKey().defaultRandom(), email: text().notNull().unique(), name: varchar(200) });
const agents = table("agents", { id: uuid().primaryKey().defaultRandom(), ownerId: uuid().notNull().references(() => users.id), name: text().notNull() });
const schema = defineSchema({ users, agents });
// A copy of the folder inside the project, where its revisions can import "athanor/migrate".
const scratch = await mkdtemp(join(dirname(folder), ".autogenerate-"));
await cp(folder, scratch, { recursive: true });
const directory = scratch;

// #region autogenerate
const { path, operations } = await autogenerateRevision({ engine, schema, directory, message: "add agents" });
const { inSync, operations: missing } = await checkSchema(engine, schema); // not in sync until the new revision is applied
const live = await introspectSchema(engine, { tables: ["users", "agents"] }); // leave the version table out
const pure = diffSchemas(toSchemaModel(schema), live); // pure: Operation[], what autogenerate wrote
// #endregion autogenerate
console.log(/_add_agents\.(ts|mjs)$/.test(path), operations.length, inSync, missing.length, pure.length); // true 1 false 1 1

await rm(scratch, { recursive: true, force: true });
await engine.dispose();
