import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { SeedError } from "../src/errors.js";
import { defineSchema, dropAll, initializeDatabase, primaryKey, table, text, unique, uuid, type AnyColumnRef, type InferDatabase } from "../src/schema/index.js";
import { ref, seed, type Fixtures } from "../src/seed/index.js";
import { createSessionFactory } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const users = table("ref_users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  managerId: uuid().references((): AnyColumnRef => users.id),
});
const squads = table("ref_squads", {
  id: uuid().primaryKey().defaultRandom(),
  slug: text().notNull().unique(),
  ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text().notNull(),
});
const members = table("ref_members", {
  squadId: uuid().notNull().references(() => squads.id, { onDelete: "cascade" }),
  userId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  role: text().notNull(),
}, (t) => [primaryKey(t.squadId, t.userId)]);
// A natural key that holds a reference: an owner's agent names are unique.
const agents = table("ref_agents", {
  id: uuid().primaryKey().defaultRandom(),
  ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text().notNull(),
  contact: text(),
  schedule: text(),
}, (t) => [unique().on(t.ownerId, t.name)]);
const notes = table("ref_notes", { id: uuid().primaryKey().defaultRandom(), body: text().notNull() });
const schema = defineSchema({ users, squads, members, agents, notes });
type DB = InferDatabase<typeof schema>;

// Children first on purpose; no key is spelled out.
const fixtures: Fixtures<DB> = {
  ref_members: [
    { squadId: ref("ref_squads", "core"), userId: ref("ref_users", "ada"), role: "lead" },
    { squadId: ref("ref_squads", "core"), userId: ref("ref_users", "grace"), role: "member" },
  ],
  ref_agents: [{ ownerId: ref("ref_users", "grace"), name: "nightly", schedule: "0 3 * * *", contact: ref("ref_users", "ada", "email") }],
  ref_squads: { core: { slug: "core", ownerId: ref("ref_users", "ada"), name: "Core" } },
  ref_users: {
    ada: { email: "ada@example.com", name: "Ada" },
    grace: { email: "grace@example.com", name: "Grace", managerId: ref("ref_users", "ada") },
  },
};

describeEachDialect("seed: rows without spelled-out keys, referred to by name", (dialect) => {
  let engine: Engine<DB>;
  beforeAll(() => {
    engine = createEngine(dialect.url(), { schema });
  });
  beforeEach(async () => {
    await dropAll(engine, schema);
    await initializeDatabase(engine, schema);
  });
  afterAll(() => engine.dispose());

  const snapshot = async () => ({
    users: await engine.db.selectFrom("ref_users").selectAll().orderBy("email").execute(),
    squads: await engine.db.selectFrom("ref_squads").selectAll().execute(),
    members: await engine.db.selectFrom("ref_members").selectAll().orderBy("role").execute(),
    agents: await engine.db.selectFrom("ref_agents").selectAll().execute(),
  });

  it("inserts with the database's generated ids wired through ref(), then a second run finds every row and changes nothing", async () => {
    const first = await seed(engine, schema, fixtures);
    expect(first.ok).toBe(true);
    expect(first.tables.map((entry) => [entry.table, entry.inserted])).toEqual([["ref_users", 2], ["ref_squads", 1], ["ref_members", 2], ["ref_agents", 1]]);
    const rows = await snapshot();
    const [ada, grace] = rows.users;
    expect(grace!.managerId).toBe(ada!.id);
    expect(rows.squads[0]!.ownerId).toBe(ada!.id);
    expect(rows.members.map((row) => [row.squadId, row.userId])).toEqual([[rows.squads[0]!.id, ada!.id], [rows.squads[0]!.id, grace!.id]]);
    expect(rows.agents[0]).toMatchObject({ ownerId: grace!.id, name: "nightly", contact: "ada@example.com" });

    const second = await seed(createSessionFactory(engine), schema, fixtures);
    expect(second.ok).toBe(true);
    for (const entry of second.tables) expect(entry).toMatchObject({ status: "seeded", inserted: 0, updated: 0 });
    expect(await snapshot()).toEqual(rows);
  });

  it("a changed fixture updates its row, matched by its natural key (one that holds a reference included)", async () => {
    await seed(engine, schema, fixtures);
    const changed = await seed(engine, schema, { ...fixtures, ref_agents: [{ ownerId: ref("ref_users", "grace"), name: "nightly", schedule: "0 4 * * *" }] });
    expect(changed.ok && changed.tables.find((entry) => entry.table === "ref_agents")).toMatchObject({ inserted: 0, updated: 1 });
    expect((await engine.db.selectFrom("ref_agents").select("schedule").executeTakeFirstOrThrow()).schedule).toBe("0 4 * * *");
  });

  it.each([
    ["a name no row has", { ref_users: { ada: { email: "a@example.com", name: "A" } }, ref_squads: [{ slug: "s", ownerId: ref("ref_users", "bob"), name: "S" }] }, "ref_squads", /ref\("ref_users", "bob"\): no row named "bob" is seeded before this one \(named rows of "ref_users": ada\)/],
    ["a table given as a list", { ref_users: [{ email: "a@example.com", name: "A" }], ref_squads: [{ slug: "s", ownerId: ref("ref_users", "ada"), name: "S" }] }, "ref_squads", /give "ref_users" as an object of named rows/],
    ["a later row of the same table", { ref_users: { grace: { email: "g@example.com", name: "G", managerId: ref("ref_users", "ada") }, ada: { email: "a@example.com", name: "A" } } }, "ref_users", /no row named "ada" is seeded before this one/],
    ["an unknown table", { ref_squads: [{ slug: "s", ownerId: ref("nope", "ada"), name: "S" }] }, "ref_squads", /the schema has no table "nope"/],
    ["an unknown column", { ref_users: { ada: { email: "a@example.com", name: "A" } }, ref_squads: [{ slug: "s", ownerId: ref("ref_users", "ada", "nickname"), name: "S" }] }, "ref_squads", /has no column "nickname"/],
    ["a row without any key", { ref_notes: [{ body: "no key" }] }, "ref_notes", /cannot be seeded idempotently; give \(id\)/],
    ["a row that is not an object", { ref_users: { ada: "ada@example.com" } }, "ref_users", /expected an object of column values/],
  ])("refuses %s before writing anything, naming table, row and column", async (_, bad, table, message) => {
    const result = await seed(engine, schema, bad as Fixtures<DB>);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(SeedError);
    expect(result.error.table).toBe(table);
    expect(result.error.message).toMatch(message);
    expect(await engine.db.selectFrom("ref_users").selectAll().execute()).toEqual([]);
  });

  it("stays all or nothing: a database error after referenced rows were seeded rolls everything back, naming the row by its name", async () => {
    await seed(engine, schema, { ref_users: { ada: { email: "ada@example.com", name: "Ada" } } });
    const failed = await seed(engine, schema, {
      ref_users: { bob: { email: "bob@example.com", name: "Bob" } },
      ref_squads: { core: { slug: "core", ownerId: ref("ref_users", "bob"), name: "Core" }, broken: { slug: "broken", ownerId: "00000000-0000-4000-8000-000000000000", name: "Orphan" } },
    });
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error).toMatchObject({ table: "ref_squads", row: 1, fixture: "broken", column: "ownerId" });
    expect(failed.error.message).toMatch(/table "ref_squads" row 1 \("broken"\) column "ownerId": FOREIGN_KEY_VIOLATION/);
    expect(failed.tables).toEqual([
      { table: "ref_users", status: "rolled back", inserted: 1, updated: 0, unchanged: 0 },
      { table: "ref_squads", status: "failed", inserted: 1, updated: 0, unchanged: 0 },
    ]);
    expect((await engine.db.selectFrom("ref_users").select("email").execute()).map((row) => row.email)).toEqual(["ada@example.com"]);
    expect(await engine.db.selectFrom("ref_squads").selectAll().execute()).toEqual([]);
  });
});
