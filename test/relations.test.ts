import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { SchemaDefinitionError } from "../src/errors.js";
import { prepareQuery } from "../src/query/index.js";
import { belongsTo, hasMany, initializeDatabase, loadMany, loadOne, manyToMany } from "../src/schema/index.js";
import { createSessionFactory } from "../src/session/session-factory.js";
import { useSandbox } from "../src/testing/index.js";
import { agentPlatform, conversationMemory, conversations, messages, squadMembers, squads, users, type AgentPlatformDB } from "./support/agent-platform-schema.js";
import { describeEachDialect } from "./support/each-dialect.js";

const membersOf = hasMany(squads, squadMembers);
const memberUser = belongsTo(squadMembers, users);
const squadOwner = belongsTo(squads, users);
const squadUsers = manyToMany(squads, users, { through: squadMembers });
const messagesOf = hasMany(conversations, messages);
const memoriesOf = hasMany(conversations, conversationMemory);

describe("relation declarations", () => {
  it("infer the foreign key, and name the ambiguity or absence", () => {
    expect(membersOf.on).toEqual([{ from: "id", to: "squadId" }]);
    expect(squadOwner.on).toEqual([{ from: "userId", to: "id" }]);
    expect(squadUsers.through?.target).toEqual([{ from: "userId", to: "id" }]);
    expect(() => belongsTo(users, squads)).toThrow(SchemaDefinitionError);
    expect(() => belongsTo(conversationMemory, messages, { foreignKey: conversationMemory.personaId })).toThrow(/no foreign key on "conversation_memory.personaId"/);
  });
});

describeEachDialect("loadMany / loadOne: nested rows in one statement", (dialect) => {
  let base: Engine<AgentPlatformDB>;
  beforeAll(async () => {
    base = createEngine(dialect.url(), { schema: agentPlatform });
    await initializeDatabase(base, agentPlatform);
  });
  afterAll(() => base.dispose());
  const sandbox = useSandbox(() => base, { beforeEach, afterEach });
  let engine: Engine<AgentPlatformDB>;
  let statements: string[];
  // The sandbox wraps each autocommit statement in a savepoint of its own: those are not the query's.
  const record = ({ sql }: { sql: string }) => void (/^(savepoint|release|rollback to)/i.test(sql) || statements.push(sql));
  beforeEach(async () => {
    engine = sandbox.engine;
    const ada = await engine.db.insertInto("users").values({ email: "ada@example.com", name: "Ada" }).returningAll().executeTakeFirstOrThrow();
    const bob = await engine.db.insertInto("users").values({ email: "bob@example.com", name: "Bob", isActive: false }).returningAll().executeTakeFirstOrThrow();
    for (const [name, owner] of [["core", ada], ["edge", bob], ["empty", ada]] as const) {
      const squad = await engine.db.insertInto("squads").values({ name, userId: owner.id }).returning("id").executeTakeFirstOrThrow();
      if (name === "empty") continue;
      await engine.db.insertInto("squad_members").values({ squadId: squad.id, userId: ada.id, role: "lead" }).execute();
      await engine.db.insertInto("squad_members").values({ squadId: squad.id, userId: bob.id, role: "member" }).execute();
    }
    statements = [];
    engine.on("query", record);
  });
  afterEach(() => {
    engine.off("query", record);
  });

  it("loads children, their parent and a many-to-many in one statement, with the schema's values at every depth", async () => {
    const rows = await engine.db
      .selectFrom("squads")
      .select(["squads.id", "squads.name"])
      .select((eb) => [
        loadMany(eb, membersOf, (q) => q.orderBy("role").select((inner) => ["role", "createdAt", loadOne(inner, memberUser, (u) => u.select(["name", "isActive"])).as("user")])).as("members"),
        loadOne(eb, squadOwner).as("owner"),
        loadMany(eb, squadUsers, (q) => q.select(["users.email"]).orderBy("users.email")).as("people"),
      ])
      .orderBy("squads.name")
      .execute();
    expect(statements).toHaveLength(1);
    expect(rows.map((row) => row.name)).toEqual(["core", "edge", "empty"]);
    const [core, , empty] = rows;
    expect(core!.members.map((member) => [member.role, member.user?.name, member.user?.isActive])).toEqual([
      ["lead", "Ada", true],
      ["member", "Bob", false],
    ]);
    expect(core!.members[0]!.createdAt).toBeInstanceOf(Date);
    expect(core!.owner).toMatchObject({ email: "ada@example.com", isActive: true, planTier: "free" });
    expect(core!.owner!.createdAt).toBeInstanceOf(Date);
    expect(core!.people).toEqual([{ email: "ada@example.com" }, { email: "bob@example.com" }]);
    expect(empty!.members).toEqual([]);
    expect(empty!.people).toEqual([]);
    expectTypeOf(core!.members[0]!.createdAt).toEqualTypeOf<Date>();
    expectTypeOf(core!.owner).toEqualTypeOf<{ id: string; email: string; name: string; isActive: boolean; planTier: "free" | "pro" | "enterprise"; createdAt: Date; updatedAt: Date } | null>();
  });

  it("reads every type back inside a relation as a plain select reads it; filters and limits the children", async () => {
    const conversation = await engine.db.insertInto("conversations").values({ title: "hello", providerConfig: { model: "m" } }).returning("id").executeTakeFirstOrThrow();
    for (let i = 0; i < 4; i++) {
      await engine.db
        .insertInto("messages")
        .values({ conversationId: conversation.id, role: i % 2 === 0 ? "user" : "assistant", content: `m${i}`, extraData: { i, tags: ["x"], nested: { ok: true } }, inputTokens: i })
        .execute();
    }
    await engine.db.insertInto("conversation_memory").values({ conversationId: conversation.id, content: "likes tea", embedding: [0.1, 0.123456789, -2], importance: 0.25, lastAccessed: new Date("2024-02-29T23:59:58.123Z") }).execute();
    statements = [];
    const [loaded] = await engine.db
      .selectFrom("conversations")
      .selectAll()
      .select((eb) => [
        loadMany(eb, messagesOf, (q) => q.where("role", "=", "user").orderBy("content").limit(5)).as("messages"),
        loadMany(eb, memoriesOf).as("memories"),
      ])
      .execute();
    expect(statements).toHaveLength(1);
    const plainMessages = await engine.db.selectFrom("messages").selectAll().where("role", "=", "user").orderBy("content").execute();
    const plainMemories = await engine.db.selectFrom("conversation_memory").selectAll().execute();
    expect(loaded!.messages).toEqual(plainMessages);
    expect(loaded!.memories).toEqual(plainMemories);
    expect(loaded!.memories[0]!.embedding).toEqual([0.1, 0.12345679, -2]);
  });

  it("works in a session, in a prepared query, and reads min/max of a timestamp as a Date", async () => {
    const sessions = createSessionFactory(engine);
    const bySquadName = prepareQuery(engine.db, (db, $: { name: string }) =>
      db.selectFrom("squads").select("name").select((eb) => [loadMany(eb, membersOf, (q) => q.select("role").orderBy("role")).as("members")]).where("name", "=", $.name),
    );
    const fromSession = await sessions.run((db) => bySquadName.executeTakeFirstOrThrow(db, { name: "core" }));
    expect(fromSession).toEqual({ name: "core", members: [{ role: "lead" }, { role: "member" }] });
    const latest = await engine.db.selectFrom("squads").select((eb) => [eb.fn.max("createdAt").as("latest"), eb.fn.countAll().as("n")]).executeTakeFirstOrThrow();
    expect(latest.latest).toBeInstanceOf(Date);
    expect(latest.n).toBe(3);
  });
});
