import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it, test as base } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { ConfigurationError, SandboxUnsupportedError } from "../src/errors.js";
import { initializeDatabase } from "../src/schema/index.js";
import { seed } from "../src/seed/seed.js";
import {
  createTemplateDatabase,
  createTestDatabase,
  defineFactories,
  dropTemplateDatabase,
  openSandbox,
  sandboxFixture,
  useSandbox,
  type Sandbox,
  type TestDatabase,
} from "../src/testing/index.js";
import { agentPlatform, type AgentPlatformDB } from "./support/agent-platform-schema.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { postgresUnavailable } from "./support/postgres-admin.js";

const factories = defineFactories(agentPlatform, {
  users: ({ sequence }) => ({ email: `user${sequence}@example.com`, name: `User ${sequence}` }),
  squads: ({ sequence }) => ({ name: `squad ${sequence}` }),
  squad_members: () => ({ role: "member" }),
  agents: ({ sequence }) => ({ name: `agent ${sequence}` }),
});

describeEachDialect("athanor/testing: truncate mode, hooks, seeding and factories", (dialect) => {
  let engine: Engine<AgentPlatformDB>;
  beforeAll(async () => {
    engine = createEngine(dialect.url(), { schema: agentPlatform });
    await initializeDatabase(engine, agentPlatform);
  });
  afterAll(() => engine.dispose());

  it("truncate mode: the code commits for real, and close() empties the schema's tables, children first", async () => {
    const sandbox = await openSandbox(engine, { mode: "truncate" });
    const user = await factories.users.create(sandbox.db);
    await sandbox.sessions.run((db) => db.insertInto("agents").values({ ownerId: user.id, name: "real" }).execute());
    expect(await engine.db.selectFrom("agents").select("name").execute()).toEqual([{ name: "real" }]);
    await sandbox.close();
    expect(await engine.db.selectFrom("agents").selectAll().execute()).toEqual([]);
    expect(await engine.db.selectFrom("users").selectAll().execute()).toEqual([]);
    expect(await rejection(openSandbox(createEngine(dialect.url()), { mode: "truncate" }))).toBeInstanceOf(ConfigurationError);
  });

  it('afterCommit: "skip" keeps hooks from running on the code\'s commits', async () => {
    const seen: string[] = [];
    await using sandbox = await openSandbox(engine, { afterCommit: "skip" });
    await sandbox.sessions.run(async (db) => {
      await db.insertInto("users").values({ email: "skip@example.com", name: "s" }).execute();
      db.afterCommit(() => void seen.push("committed"));
    });
    expect(seen).toEqual([]);
    expect(await sandbox.db.selectFrom("users").select("email").execute()).toEqual([{ email: "skip@example.com" }]);
  });

  it("seeds inside the sandbox, rolled back with it", async () => {
    {
      await using sandbox = await openSandbox(engine);
      const result = await seed(sandbox.engine, agentPlatform, { users: [{ email: "seeded@example.com", name: "Seeded" }] });
      expect(result.ok).toBe(true);
      expect(await sandbox.db.selectFrom("users").select("email").execute()).toEqual([{ email: "seeded@example.com" }]);
    }
    await using after = await openSandbox(engine);
    expect(await after.db.selectFrom("users").selectAll().execute()).toEqual([]);
  });

  it("factories: defaults, overrides, unique sequences, required parents made on demand, read back with the schema's values", async () => {
    await using sandbox = await openSandbox(engine);
    const member = await factories.squad_members.create(sandbox.db, { role: "lead" });
    const squad = await sandbox.db.selectFrom("squads").selectAll().where("id", "=", member.squadId).executeTakeFirstOrThrow();
    expect(member.role).toBe("lead");
    expect(member.createdAt).toBeInstanceOf(Date);
    expect(squad.status).toBe("active");
    const users = await factories.users.createList(sandbox.db, 3, (index) => ({ name: `named ${index}` }));
    expect(new Set(users.map((user) => user.email)).size).toBe(3);
    expect(users.map((user) => user.name)).toEqual(["named 0", "named 1", "named 2"]);
    expect(factories.agents.build({ schedule: "* * * * *" })).toMatchObject({ schedule: "* * * * *", name: expect.stringMatching(/^agent \d+$/) });
    const owner = users[0]!;
    const agent = await factories.agents.create(sandbox.db, { ownerId: owner.id });
    expect(agent.ownerId).toBe(owner.id);
    const orphan = await rejection(factories.conversation_states.create(sandbox.db));
    expect(orphan).toBeInstanceOf(ConfigurationError);
    expect(orphan.message).toMatch(/has no factory|required column/);
  });
});

describe("useSandbox", () => {
  it("refuses a second test while one test's sandbox is open (concurrent tests need sandboxFixture)", async () => {
    const hooks: { before?: () => Promise<void>; after?: () => Promise<void> } = {};
    const engine = createEngine("sqlite::memory:", { schema: agentPlatform });
    try {
      const sandbox = useSandbox(engine, { beforeEach: (fn) => (hooks.before = fn), afterEach: (fn) => (hooks.after = fn) });
      expect(() => sandbox.db).toThrow(SandboxUnsupportedError);
      await hooks.before!();
      expect(sandbox.engine.pool.status().size).toBe(1);
      expect(await rejection(hooks.before!())).toBeInstanceOf(SandboxUnsupportedError);
      await hooks.after!();
      expect(() => sandbox.sessions).toThrow(SandboxUnsupportedError);
    } finally {
      await engine.dispose();
    }
  });
});

/** vitest's default maxConcurrency: this many concurrent tests are open at once. */
const CONCURRENT = 5;

describe.skipIf(postgresUnavailable)("concurrent tests on PostgreSQL, each in its own sandbox on its own connection", () => {
  let database: TestDatabase;
  let engine: Engine<AgentPlatformDB>;
  const pids = new Set<number>();
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    engine = createEngine(database.url, { schema: agentPlatform, pool: { size: 8 } });
    await initializeDatabase(engine, agentPlatform);
  });
  afterAll(async () => {
    expect(pids.size).toBe(CONCURRENT);
    expect(engine.pool.status().checkedOut).toBe(0);
    expect(await engine.db.selectFrom("users").selectAll().execute()).toEqual([]);
    await engine.dispose();
    await database.drop();
  });

  const test = base.extend<{ sandbox: Sandbox<AgentPlatformDB> }>({ sandbox: sandboxFixture(() => engine) });
  for (let i = 0; i < CONCURRENT; i++) {
    test.concurrent(`test ${i} sees only its own rows`, async ({ sandbox }) => {
      const email = `concurrent-${i}@example.com`;
      await sandbox.sessions.run((db) => db.insertInto("users").values({ email, name: `${i}` }).execute());
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(sandbox.db);
      pids.add(rows[0]!.pid);
      await new Promise((resolve) => setTimeout(resolve, 50)); // all of them are open at once
      expect((await sandbox.db.selectFrom("users").select("email").execute()).map((row) => row.email)).toEqual([email]);
    });
  }
});

describe.skipIf(postgresUnavailable)("template databases", () => {
  const key = `template-test-${randomUUID()}`;
  const made: TestDatabase[] = [];
  let template: string | undefined;
  afterEach(async () => {
    await Promise.all(made.splice(0).map((database) => database.drop()));
  });
  afterAll(async () => {
    if (template !== undefined) await dropTemplateDatabase(template);
  });

  it("is built once per key even when several workers ask at once, and copies come migrated", async () => {
    let prepared = 0;
    const prepare = async (url: string) => {
      prepared++;
      const engine = createEngine(url, { schema: agentPlatform });
      await initializeDatabase(engine, agentPlatform);
      await engine.db.insertInto("personas").values({ name: "default", template: "You are helpful." }).execute();
      await engine.dispose();
    };
    const results = await Promise.all([1, 2, 3].map(() => createTemplateDatabase({ key, prepare })));
    template = results[0]!.name;
    expect(prepared).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.name)).size).toBe(1);
    expect((await createTemplateDatabase({ key, prepare })).created).toBe(false);

    for (let i = 0; i < 2; i++) made.push(await createTestDatabase("postgres", { template }));
    for (const database of made) {
      const engine = createEngine(database.url, { schema: agentPlatform });
      expect(await engine.db.selectFrom("personas").select("name").execute()).toEqual([{ name: "default" }]);
      await engine.db.insertInto("users").values({ email: `${database.url}@example.com`, name: "x" }).execute();
      expect(await engine.db.selectFrom("users").selectAll().execute()).toHaveLength(1);
      await engine.dispose();
    }
  });
});
