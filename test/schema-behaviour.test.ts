import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { CheckViolationError, ForeignKeyViolationError, NotNullViolationError, UniqueViolationError } from "../src/errors.js";
import { dropAll, initializeDatabase } from "../src/schema/index.js";
import { agentPlatform, type AgentPlatformDB } from "./support/agent-platform-schema.js";
import { useSandbox } from "../src/testing/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";

describeEachDialect("seed-document schemas", (dialect) => {
  // Tables created once; every test runs in a sandbox that rolls back (athanor/testing).
  let base: Engine<AgentPlatformDB>;
  beforeAll(async () => {
    base = createEngine(dialect.url(), { schema: agentPlatform });
    await dropAll(base, agentPlatform);
    await initializeDatabase(base, agentPlatform);
  });
  afterAll(() => base.dispose());
  const sandbox = useSandbox(() => base, { beforeEach, afterEach });
  let engine: Engine<AgentPlatformDB>;
  beforeEach(() => {
    engine = sandbox.engine;
  });

  const newUser = (email = "ada@example.com") => engine.db.insertInto("users").values({ email, name: "Ada" }).returningAll().executeTakeFirstOrThrow();
  const newConversation = async () => {
    const persona = await engine.db.insertInto("personas").values({ name: "Guide", template: "You are helpful." }).returning("id").executeTakeFirstOrThrow();
    const conversation = await engine.db.insertInto("conversations").values({ title: "Hello", personaId: persona.id, providerConfig: { provider: "openai" } }).returningAll().executeTakeFirstOrThrow();
    return { personaId: persona.id, conversation };
  };

  it("fills server defaults: random UUIDs, booleans, enums, timestamps", async () => {
    const user = await newUser();
    expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(user).toMatchObject({ isActive: true, planTier: "free" });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    const other = await newUser("bob@example.com");
    expect(other.id).not.toBe(user.id);
  });

  it("agents: a nullable cron schedule and typed json config", async () => {
    const user = await newUser();
    const agent = await engine.db.insertInto("agents").values({ ownerId: user.id, name: "nightly", schedule: "0 3 * * *", config: { model: "gpt-4o", temperature: 0.2 } }).returningAll().executeTakeFirstOrThrow();
    expect(agent.config).toEqual({ model: "gpt-4o", temperature: 0.2 });
    await engine.db.updateTable("agents").set({ schedule: null }).where("id", "=", agent.id).execute();
    const scheduled = await engine.db.selectFrom("agents").select("name").where("schedule", "is not", null).execute();
    expect(scheduled).toEqual([]);
    const unscheduled = await engine.db.selectFrom("agents").select(["name", "schedule"]).where("schedule", "is", null).execute();
    expect(unscheduled).toEqual([{ name: "nightly", schedule: null }]);
  });

  it("deleting a user cascades to squads, members and agents", async () => {
    const user = await newUser();
    const squad = await engine.db.insertInto("squads").values({ userId: user.id, name: "core" }).returning("id").executeTakeFirstOrThrow();
    await engine.db.insertInto("squad_members").values({ squadId: squad.id, userId: user.id, role: "project_manager" }).execute();
    await engine.db.insertInto("agents").values({ ownerId: user.id, name: "a" }).execute();
    await engine.db.deleteFrom("users").where("id", "=", user.id).execute();
    for (const name of ["squads", "squad_members", "agents"] as const) {
      expect(await engine.db.selectFrom(name).selectAll().execute()).toEqual([]);
    }
  });

  it("deleting a conversation cascades to messages and state; deleting a persona sets memory.personaId null", async () => {
    const { personaId, conversation } = await newConversation();
    const message = await engine.db.insertInto("messages").values({ conversationId: conversation.id, role: "user", content: "hi", extraData: { tokens: [1, 2] } }).returning("id").executeTakeFirstOrThrow();
    const other = await engine.db.insertInto("conversations").values({ title: "Other" }).returning("id").executeTakeFirstOrThrow();
    const memory = await engine.db
      .insertInto("conversation_memory")
      .values({ conversationId: other.id, personaId, firstMessageId: message.id, content: "likes tea", embedding: [0.1, 0.2, 0.3] })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(memory).toMatchObject({ importance: 0.5, accessCount: 0, lastAccessed: null, personaId, firstMessageId: message.id });

    await engine.db.deleteFrom("conversations").where("id", "=", conversation.id).execute();
    expect(await engine.db.selectFrom("messages").selectAll().execute()).toEqual([]);
    const afterMessage = await engine.db.selectFrom("conversation_memory").select(["firstMessageId", "personaId"]).executeTakeFirstOrThrow();
    expect(afterMessage).toEqual({ firstMessageId: null, personaId });

    await engine.db.deleteFrom("personas").where("id", "=", personaId).execute();
    const afterPersona = await engine.db.selectFrom("conversation_memory").select(["personaId", "content"]).executeTakeFirstOrThrow();
    expect(afterPersona).toEqual({ personaId: null, content: "likes tea" });
  });

  it("the four-column unique state key is enforced with a typed error", async () => {
    const { personaId, conversation } = await newConversation();
    const module = await engine.db.insertInto("modules").values({ name: "mood", executionContext: "POST_RESPONSE" }).returning("id").executeTakeFirstOrThrow();
    const state = { conversationId: conversation.id, personaId, moduleId: module.id, stateKey: "mood", stateValue: { level: 3 } };
    await engine.db.insertInto("conversation_states").values(state).execute();
    await engine.db.insertInto("conversation_states").values({ ...state, stateKey: "energy" }).execute();
    const error = await rejection(engine.db.insertInto("conversation_states").values({ ...state, stateValue: { level: 4 } }).execute());
    expect(error).toBeInstanceOf(UniqueViolationError);
    const stored = await engine.db.selectFrom("conversation_states").select(["stateKey", "stateValue"]).orderBy("stateKey").execute();
    expect(stored).toEqual([{ stateKey: "energy", stateValue: { level: 3 } }, { stateKey: "mood", stateValue: { level: 3 } }]);
  });

  it("unique, foreign-key, not-null and check violations are typed", async () => {
    await newUser();
    expect(await rejection(newUser())).toBeInstanceOf(UniqueViolationError);
    expect(await rejection(engine.db.insertInto("agents").values({ ownerId: "00000000-0000-4000-8000-000000000000", name: "orphan" }).execute())).toBeInstanceOf(ForeignKeyViolationError);
    expect(await rejection(engine.db.insertInto("users").values({ email: "x@example.com", name: null as unknown as string }).execute())).toBeInstanceOf(NotNullViolationError);
    expect(await rejection(engine.db.insertInto("modules").values({ name: "m", stagePriority: -1 }).execute())).toBeInstanceOf(CheckViolationError);
  });

  it("enum columns reject values outside the list on every dialect", async () => {
    const error = await rejection(engine.db.insertInto("users").values({ email: "e@example.com", name: "E", planTier: "platinum" as "pro" }).execute());
    expect(error).toBeInstanceOf(CheckViolationError);
    const user = await newUser();
    await engine.db.updateTable("users").set({ planTier: "enterprise" }).where("id", "=", user.id).execute();
    expect((await engine.db.selectFrom("users").select("planTier").executeTakeFirstOrThrow()).planTier).toBe("enterprise");
  });

  it("a self-referencing message thread sets parentId null when the parent goes", async () => {
    const { conversation } = await newConversation();
    const parent = await engine.db.insertInto("messages").values({ conversationId: conversation.id, role: "user", content: "q" }).returning("id").executeTakeFirstOrThrow();
    const child = await engine.db.insertInto("messages").values({ conversationId: conversation.id, parentId: parent.id, role: "assistant", content: "a" }).returning("id").executeTakeFirstOrThrow();
    await engine.db.deleteFrom("messages").where("id", "=", parent.id).execute();
    expect(await engine.db.selectFrom("messages").select(["id", "parentId"]).execute()).toEqual([{ id: child.id, parentId: null }]);
  });
});
