// A vitest test file (run by this repository's `npm test`).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, test as base } from "vitest";
import { createEngine, type SessionFactory } from "athanor";
import { defineSchema, initializeDatabase, table, text, uuid, type InferDatabase } from "athanor/schema";
import { sandboxFixture, useSandbox, type Sandbox } from "athanor/testing";

const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
});
const schema = defineSchema({ users });
type DB = InferDatabase<typeof schema>;

/** The code under test takes the session factory it should use. */
async function register(sessions: SessionFactory<DB>, email: string): Promise<void> {
  await sessions.run((db) => db.insertInto("users").values({ email }).execute());
}

// #region setup
// One engine per test file (vitest runs files in parallel workers: an in-memory database each).
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
beforeAll(() => initializeDatabase(engine, schema));
afterAll(() => engine.dispose());
// #endregion setup

// #region use-sandbox
describe("registration", () => {
  const sandbox = useSandbox(engine, { beforeEach, afterEach });

  it("stores the user", async () => {
    await register(sandbox.sessions, "ada@example.com");
    expect(await sandbox.db.selectFrom("users").select("email").execute()).toEqual([{ email: "ada@example.com" }]);
  });

  it("starts from an empty table again", async () => {
    expect(await sandbox.db.selectFrom("users").selectAll().execute()).toEqual([]);
  });
});
// #endregion use-sandbox

// #region fixture
// Concurrent tests: a sandbox per test through a fixture (on PostgreSQL each holds its own
// connection; on SQLite they take turns on the single writer).
const test = base.extend<{ sandbox: Sandbox<DB> }>({ sandbox: sandboxFixture(engine) });

describe.concurrent("concurrent registrations", () => {
  for (const email of ["a@example.com", "b@example.com", "c@example.com"]) {
    test(`registers ${email} in its own world`, async ({ sandbox }) => {
      await register(sandbox.sessions, email);
      expect(await sandbox.db.selectFrom("users").select("email").execute()).toEqual([{ email }]);
    });
  }
});
// #endregion fixture
