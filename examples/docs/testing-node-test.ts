// A test file for node:test, runnable as is: `node --test` or plain `node` on the compiled file.
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, test } from "node:test";
import { createEngine, type SessionFactory } from "athanor";
import { defineSchema, initializeDatabase, table, text, timestamps, uuid, type InferDatabase } from "athanor/schema";
import { defineFactories, useSandbox } from "athanor/testing";

// #region app
// The application, as it would be imported from src/: a service that takes its session factory.
const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  ...timestamps(),
});
const agents = table("agents", {
  id: uuid().primaryKey().defaultRandom(),
  ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text().notNull(),
  schedule: text(),
});
const schema = defineSchema({ users, agents });
type DB = InferDatabase<typeof schema>;

class AgentService {
  constructor(private readonly sessions: SessionFactory<DB>) {}
  pause(id: string): Promise<void> {
    return this.sessions.run(async (db) => {
      await db.updateTable("agents").set({ schedule: null }).where("id", "=", id).execute();
    });
  }
}
// #endregion app

// #region setup
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
before(() => initializeDatabase(engine, schema)); // once per file (or migrate a template once per run)
after(() => engine.dispose());

const sandbox = useSandbox(engine, { beforeEach, afterEach }); // a rolled-back world per test
const factories = defineFactories(schema, {
  users: ({ sequence }) => ({ email: `user${sequence}@example.com`, name: `User ${sequence}` }),
  agents: ({ sequence }) => ({ name: `agent ${sequence}`, schedule: "0 3 * * *" }), // an owner is made for each
});
// #endregion setup

// #region tests
test("pausing an agent clears its schedule", async () => {
  const agent = await factories.agents.create(sandbox.db);
  await new AgentService(sandbox.sessions).pause(agent.id); // the service commits: a savepoint in the sandbox
  const row = await sandbox.db.selectFrom("agents").select("schedule").where("id", "=", agent.id).executeTakeFirstOrThrow();
  assert.equal(row.schedule, null);
});

test("every test starts from the database as it was", async () => {
  assert.deepEqual(await sandbox.db.selectFrom("agents").selectAll().execute(), []);
});
// #endregion tests
