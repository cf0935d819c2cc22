import { afterEach, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { SeedError } from "../src/errors.js";
import { dropAll, initializeDatabase } from "../src/schema/index.js";
import { seed, type Fixtures } from "../src/seed/index.js";
import { createSessionFactory } from "../src/session/index.js";
import { agentPlatform, type AgentPlatformDB } from "./support/agent-platform-schema.js";
import { describeEachDialect } from "./support/each-dialect.js";

const ADA = "11111111-1111-4111-8111-111111111111";
const SQUAD = "22222222-2222-4222-8222-222222222222";
const PERSONA = "33333333-3333-4333-8333-333333333333";
const CONVERSATION = "44444444-4444-4444-8444-444444444444";
const MODULE = "55555555-5555-4555-8555-555555555555";

// Declared children first: seeding must still insert parents first.
const fixtures: Fixtures<AgentPlatformDB> = {
  conversation_states: [{ conversationId: CONVERSATION, personaId: PERSONA, moduleId: MODULE, stateKey: "mood", stateValue: { level: 3, tags: ["calm"] } }],
  squad_members: [{ squadId: SQUAD, userId: ADA, role: "project_manager" }],
  squads: [{ id: SQUAD, userId: ADA, name: "core" }],
  agents: [{ ownerId: ADA, name: "nightly", schedule: "0 3 * * *", config: { model: "gpt-4o" }, id: "66666666-6666-4666-8666-666666666666" }],
  users: [
    { id: ADA, email: "ada@example.com", name: "Ada", planTier: "pro" },
    { email: "bob@example.com", name: "Bob" }, // no id: matched by its unique email
  ],
  personas: [{ id: PERSONA, name: "Guide", template: "You are helpful." }],
  modules: [{ id: MODULE, name: "mood", executionContext: "POST_RESPONSE" }],
  conversations: [{ id: CONVERSATION, title: "Hello", personaId: PERSONA, providerConfig: { provider: "openai" } }],
  conversation_memory: [{ id: "77777777-7777-4777-8777-777777777777", conversationId: CONVERSATION, content: "likes tea", embedding: [0.1, 0.2, 0.3], importance: 0.9 }],
};

describeEachDialect("seed", (dialect) => {
  let engine: Engine<AgentPlatformDB>;
  beforeEach(async () => {
    engine = createEngine<AgentPlatformDB>(dialect.url(), { schema: agentPlatform });
    await dropAll(engine, agentPlatform);
    await initializeDatabase(engine, agentPlatform);
  });
  afterEach(() => engine.dispose());

  const count = async (table: keyof AgentPlatformDB) => Number((await engine.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

  it("inserts in foreign-key order, then a second run changes nothing", async () => {
    const first = await seed(engine, agentPlatform, fixtures);
    expect(first.ok).toBe(true);
    const order = first.tables.map((table) => table.table);
    expect(order.indexOf("users")).toBeLessThan(order.indexOf("squads"));
    expect(order.indexOf("squads")).toBeLessThan(order.indexOf("squad_members"));
    expect(order.indexOf("modules")).toBeLessThan(order.indexOf("conversation_states"));
    expect(first.tables.find((table) => table.table === "users")).toEqual({ table: "users", status: "seeded", inserted: 2, updated: 0, unchanged: 0 });
    expect(await count("users")).toBe(2);

    const before = await engine.db.selectFrom("users").select(["email", "updatedAt"]).orderBy("email").execute();
    const second = await seed(engine, agentPlatform, fixtures);
    expect(second.ok).toBe(true);
    for (const table of second.tables) expect(table).toMatchObject({ status: "seeded", inserted: 0, updated: 0 });
    expect(second.tables.find((table) => table.table === "users")!.unchanged).toBe(2);
    expect(await engine.db.selectFrom("users").select(["email", "updatedAt"]).orderBy("email").execute()).toEqual(before);
    expect(await count("conversation_memory")).toBe(1);
  });

  it("updates rows whose fixture changed, by primary key or unique key", async () => {
    await seed(engine, agentPlatform, fixtures);
    const changed = await seed(engine, agentPlatform, {
      users: [{ id: ADA, email: "ada@example.com", name: "Ada Lovelace", planTier: "pro" }, { email: "bob@example.com", name: "Robert" }],
    });
    expect(changed.ok && changed.tables).toEqual([{ table: "users", status: "seeded", inserted: 0, updated: 2, unchanged: 0 }]);
    const names = await engine.db.selectFrom("users").select("name").orderBy("email").execute();
    expect(names.map((row) => row.name)).toEqual(["Ada Lovelace", "Robert"]);
  });

  it("is all or nothing: a database error rolls every table back and names the row", async () => {
    const result = await seed(engine, agentPlatform, {
      users: [{ id: ADA, email: "ada@example.com", name: "Ada" }],
      agents: [
        { id: "66666666-6666-4666-8666-666666666666", ownerId: ADA, name: "ok" },
        { id: "88888888-8888-4888-8888-888888888888", ownerId: "99999999-9999-4999-8999-999999999999", name: "orphan" },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(SeedError);
    expect(result.error).toMatchObject({ code: "SEED_FAILED", table: "agents", row: 1 });
    expect(result.error.message).toMatch(/table "agents" row 1/);
    expect(result.error.message).toMatch(/FOREIGN_KEY_VIOLATION/);
    expect(result.tables).toEqual([
      { table: "users", status: "rolled back", inserted: 1, updated: 0, unchanged: 0 },
      { table: "agents", status: "failed", inserted: 1, updated: 0, unchanged: 0 },
    ]);
    expect(await count("users")).toBe(0);
    expect(await count("agents")).toBe(0);
  });

  it.each([
    ["an unknown column", { users: [{ id: ADA, email: "a@example.com", name: "A", nickname: "x" }] }, "users", 0, "nickname", /no such column/],
    ["a wrong type", { users: [{ id: ADA, email: "a@example.com", name: "A" }, { id: SQUAD, email: "b@example.com", name: 5 }] }, "users", 1, "name", /expected a string, got number 5/],
    ["a missing required value", { squads: [{ id: SQUAD, userId: ADA }] }, "squads", 0, "name", /a value is required/],
    ["null in a NOT NULL column", { users: [{ id: ADA, email: "a@example.com", name: null }] }, "users", 0, "name", /NOT NULL/],
    ["an enum value outside the list", { users: [{ id: ADA, email: "a@example.com", name: "A", planTier: "gold" }] }, "users", 0, "planTier", /expected one of "free", "pro", "enterprise"/],
    ["a wrong vector size", { conversation_memory: [{ id: ADA, conversationId: CONVERSATION, content: "c", embedding: [1, 2] }] }, "conversation_memory", 0, "embedding", /expected 3 dimensions/],
    ["a row with no key", { agents: [{ ownerId: ADA, name: "keyless" }] }, "agents", 0, undefined, /cannot be seeded idempotently/],
  ])("rejects %s naming table, row and column, writing nothing", async (_, bad, table, row, column, message) => {
    const result = await seed(engine, agentPlatform, { ...bad, personas: [{ id: PERSONA, name: "Guide", template: "t" }] } as Fixtures<AgentPlatformDB>);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ table, row, column });
    expect(result.error.message).toMatch(message);
    expect(result.tables.find((entry) => entry.table === table)!.status).toBe("failed");
    expect(result.tables.find((entry) => entry.table === "personas")!.status).toBe("not run");
    expect(await count("personas")).toBe(0);
    expect(await count("users")).toBe(0);
  });

  it("runs through a session factory in one session", async () => {
    const sessions = createSessionFactory(engine);
    const first = await seed(sessions, agentPlatform, { users: fixtures.users! });
    expect(first.ok && first.tables).toEqual([{ table: "users", status: "seeded", inserted: 2, updated: 0, unchanged: 0 }]);
    const again = await seed(sessions, agentPlatform, { users: fixtures.users! });
    expect(again.ok && again.tables[0]!.unchanged).toBe(2);
    const failed = await seed(sessions, agentPlatform, { users: [{ id: SQUAD, email: "new@example.com", name: "New" }, { id: ADA, email: "new@example.com", name: "Clash" }] });
    expect(!failed.ok && failed.error).toMatchObject({ table: "users", row: 1 });
    expect(await count("users")).toBe(2);
  });

  it("rejects an unknown table", async () => {
    // @ts-expect-error fixtures are typed by the schema: unknown column
    const typed: Fixtures<AgentPlatformDB> = { users: [{ email: "a@example.com", name: "A", nickname: "x" }] };
    expect(typed.users).toHaveLength(1);
    const result = await seed(engine, agentPlatform, { nope: [{}] } as Fixtures<AgentPlatformDB>);
    expect(!result.ok && result.error).toMatchObject({ table: "nope" });
  });
});
