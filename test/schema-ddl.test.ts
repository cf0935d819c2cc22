import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { ConfigurationError, ResetRefusedError } from "../src/errors.js";
import { defineSchema, dropAll, initializeDatabase, integer, resetDatabase, table } from "../src/schema/index.js";
import { agentPlatform, type AgentPlatformDB } from "./support/agent-platform-schema.js";
import { describeEachDialect } from "./support/each-dialect.js";

const ALL_TABLES = ["users", "squads", "squad_members", "agents", "personas", "modules", "conversations", "messages", "conversation_states", "conversation_memory"];

describeEachDialect("initializeDatabase / dropAll / resetDatabase", (dialect) => {
  let engine: Engine<AgentPlatformDB>;
  beforeEach(async () => {
    engine = createEngine<AgentPlatformDB>(dialect.url(), { schema: agentPlatform });
    await dropAll(engine, agentPlatform);
  });
  afterEach(() => engine.dispose());

  const tableNames = async () => (await engine.db.introspection.getTables()).map((table) => table.name).filter((name) => ALL_TABLES.includes(name)).sort();

  it("creates every table in foreign-key order, then is a no-op", async () => {
    const first = await initializeDatabase(engine, agentPlatform);
    expect([...first.created].sort()).toEqual([...ALL_TABLES].sort());
    expect(first.existing).toEqual([]);
    const order = first.created;
    expect(order.indexOf("users")).toBeLessThan(order.indexOf("squads"));
    expect(order.indexOf("conversations")).toBeLessThan(order.indexOf("messages"));
    expect(order.indexOf("messages")).toBeLessThan(order.indexOf("conversation_memory"));
    expect(await tableNames()).toEqual([...ALL_TABLES].sort());

    await engine.db.insertInto("users").values({ email: "a@example.com", name: "A" }).execute();
    const second = await initializeDatabase(engine, agentPlatform);
    expect(second.created).toEqual([]);
    expect([...second.existing].sort()).toEqual([...ALL_TABLES].sort());
    expect(await engine.db.selectFrom("users").select("email").execute()).toEqual([{ email: "a@example.com" }]);
  });

  it("dropAll drops in reverse order, with rows referencing each other", async () => {
    await initializeDatabase(engine, agentPlatform);
    const user = await engine.db.insertInto("users").values({ email: "a@example.com", name: "A" }).returning("id").executeTakeFirstOrThrow();
    await engine.db.insertInto("agents").values({ ownerId: user.id, name: "cron" }).execute();
    const dropped = await dropAll(engine, agentPlatform);
    expect([...dropped].sort()).toEqual([...ALL_TABLES].sort());
    expect(dropped.indexOf("agents")).toBeLessThan(dropped.indexOf("users"));
    expect(await tableNames()).toEqual([]);
    expect(await dropAll(engine, agentPlatform)).toEqual([]);
  });

  it("refuses an engine created without the schema, or with a schema that declares a table differently", async () => {
    const bare = createEngine(dialect.url());
    const other = createEngine(dialect.url(), { schema: defineSchema({ users: table("users", { id: integer().primaryKey() }) }) });
    try {
      for (const [candidate, pattern] of [
        [bare, /initializeDatabase: the engine was created without \{ schema \}/],
        [other, /initializeDatabase: the engine's schema does not declare table "squads"|declares "users"\."id" differently/],
      ] as const) {
        const error = await initializeDatabase(candidate, agentPlatform).catch((e: unknown) => e as Error);
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toMatch(pattern);
      }
      expect(await resetDatabase(bare, agentPlatform, { environment: "development" }).catch((e: unknown) => e)).toBeInstanceOf(ConfigurationError);
      expect(await tableNames()).toEqual([]);
    } finally {
      await Promise.all([bare.dispose(), other.dispose()]);
    }
  });

  it("resetDatabase outside development throws ResetRefusedError and touches nothing", async () => {
    await initializeDatabase(engine, agentPlatform);
    await engine.db.insertInto("users").values({ email: "keep@example.com", name: "Keep" }).execute();
    for (const environment of ["production", "staging", undefined, "Development"]) {
      const error = await resetDatabase(engine, agentPlatform, { environment }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResetRefusedError);
      expect((error as ResetRefusedError).code).toBe("RESET_REFUSED");
    }
    expect(await engine.db.selectFrom("users").select("email").execute()).toEqual([{ email: "keep@example.com" }]);
  });

  it("resetDatabase in development drops and recreates empty tables", async () => {
    await initializeDatabase(engine, agentPlatform);
    await engine.db.insertInto("users").values({ email: "gone@example.com", name: "Gone" }).execute();
    const result = await resetDatabase(engine, agentPlatform, { environment: "development" });
    expect([...result.created].sort()).toEqual([...ALL_TABLES].sort());
    expect(await engine.db.selectFrom("users").selectAll().execute()).toEqual([]);
  });
});

describe("createEngine schema option", () => {
  it("rejects a value that is not a schema, naming the option", () => {
    expect(() => createEngine("sqlite::memory:", { schema: {} as never })).toThrow(/options\.schema must be a schema made with defineSchema\(\)/);
  });
});
