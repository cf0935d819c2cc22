import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { ConfigurationError, InvalidCursorError } from "../src/errors.js";
import { paginate, paginateByKey } from "../src/query/index.js";
import { initializeDatabase } from "../src/schema/index.js";
import { createTestDatabase, useSandbox } from "../src/testing/index.js";
import { agentPlatform, type AgentPlatformDB } from "./support/agent-platform-schema.js";
import { ALL_DIALECTS, describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";

const USERS = 45;

describeEachDialect("pagination and aggregates", (dialect) => {
  let base: Engine<AgentPlatformDB>;
  beforeAll(async () => {
    base = createEngine(dialect.url(), { schema: agentPlatform });
    await initializeDatabase(base, agentPlatform);
  });
  afterAll(() => base.dispose());
  const sandbox = useSandbox(() => base, { beforeEach, afterEach });
  let engine: Engine<AgentPlatformDB>;
  beforeEach(async () => {
    engine = sandbox.engine;
    // Three users share each creation time, so the keyset must break ties by id.
    const rows = Array.from({ length: USERS }, (_, i) => ({
      email: `user${String(i).padStart(2, "0")}@example.com`,
      name: `User ${i}`,
      planTier: (["free", "pro", "enterprise"] as const)[i % 3],
      createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, Math.floor(i / 3))),
    }));
    await engine.db.insertInto("users").values(rows).execute();
  });

  it("paginate: a page, the total as a number, the page count; past the end: no rows and the total", async () => {
    const query = () => engine.db.selectFrom("users").select(["email", "name"]).orderBy("email");
    const pages = await Promise.all([1, 2, 3, 4].map((page) => paginate(query(), { page, perPage: 20 })));
    expect(pages.map((page) => page.items.length)).toEqual([20, 20, 5, 0]);
    for (const page of pages) expect({ total: page.total, pages: page.pages, perPage: page.perPage }).toEqual({ total: USERS, pages: 3, perPage: 20 });
    expect(pages[1]!.items[0]).toEqual({ email: "user20@example.com", name: "User 20" });
    expect(pages.flatMap((page) => page.items.map((item) => item.email))).toEqual(Array.from({ length: USERS }, (_, i) => `user${String(i).padStart(2, "0")}@example.com`));
    const grouped = await paginate(engine.db.selectFrom("users").select("planTier").select((eb) => eb.fn.countAll().as("n")).groupBy("planTier").orderBy("planTier"), { page: 1, perPage: 2 });
    expect(grouped).toEqual({ items: [{ planTier: "enterprise", n: 15 }, { planTier: "free", n: 15 }], total: 3, page: 1, perPage: 2, pages: 2 });
    const empty = await paginate(engine.db.selectFrom("agents").selectAll().orderBy("id"), { page: 1, perPage: 10 });
    expect(empty).toEqual({ items: [], total: 0, page: 1, perPage: 10, pages: 0 });
  });

  it("paginate refuses what it cannot count or would override, by name", async () => {
    for (const [options, pattern] of [
      [{ page: 0, perPage: 10 }, /page must be an integer from 1/],
      [{ page: 1, perPage: 5_000 }, /perPage must be an integer from 1 to 1000/],
    ] as const) {
      const error = await rejection(paginate(engine.db.selectFrom("users").selectAll(), options));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toMatch(pattern);
    }
    expect(await rejection(paginate(engine.db.selectFrom("users").select("planTier").distinct(), { page: 1, perPage: 5 }))).toBeInstanceOf(ConfigurationError);
    expect(await rejection(paginate(engine.db.selectFrom("users").selectAll().limit(3), { page: 1, perPage: 5 }))).toBeInstanceOf(ConfigurationError);
  });

  it("paginateByKey: every row exactly once, in order, across ties and mixed directions; cursors hold Dates", async () => {
    const orderBy = [["createdAt", "desc"], ["email", "asc"]] as const;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page: Awaited<ReturnType<typeof paginateByKey<AgentPlatformDB, "users", { email: string; createdAt: Date }>>> = await paginateByKey(
        engine.db.selectFrom("users").select(["email", "createdAt"]),
        { orderBy, limit: 7, after },
      );
      seen.push(...page.items.map((item) => item.email));
      after = page.next;
      if (after === null) break;
    }
    const expected = (await engine.db.selectFrom("users").select("email").orderBy("createdAt", "desc").orderBy("email", "asc").execute()).map((row) => row.email);
    expect(seen).toEqual(expected);
    expect(seen).toHaveLength(USERS);
    // A cursor comes from the client: one no page returned is the client's error (400 over HTTP), not a configuration error.
    for (const forged of ["bm90IGEgY3Vyc29y", Buffer.from(JSON.stringify([1])).toString("base64url"), Buffer.from(JSON.stringify([{ $bigint: "x" }, "a"])).toString("base64url")]) {
      const error = await rejection(paginateByKey(engine.db.selectFrom("users").selectAll(), { orderBy, limit: 5, after: forged }));
      expect(error).toBeInstanceOf(InvalidCursorError);
      expect(error).toMatchObject({ code: "INVALID_CURSOR" });
    }
  });

  it("paginateByKey: rows within one millisecond each come once, both ways (PostgreSQL keeps microseconds, a Date does not)", async () => {
    const emails = Array.from({ length: 10 }, (_, i) => `user0${i}@example.com`);
    const instant = new Date(Date.UTC(2025, 0, 1, 0, 0, 0, 123));
    await engine.db.updateTable("users").set({ createdAt: instant }).where("email", "in", emails).execute();
    // PostgreSQL: spread them over the millisecond's microseconds (user0i at +97·i µs), as rows written a moment apart are.
    if (dialect.isPostgres) await sql`update users set "createdAt" = "createdAt" + (substring(email from 6 for 1)::int * 97 || ' microseconds')::interval where email = any(${emails})`.execute(engine.db);
    for (const direction of ["desc", "asc"] as const) {
      const orderBy = [["createdAt", direction], ["id", "asc"]] as const;
      const query = () => engine.db.selectFrom("users").select(["id", "email", "createdAt"]).where("email", "in", emails);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: { items: Array<{ email: string }>; next: string | null } = await paginateByKey(query(), { orderBy, limit: 3, after });
        seen.push(...page.items.map((item) => item.email));
        expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(["createdAt", "email", "id"]); // the hidden key columns are not in the rows
        after = page.next;
      } while (after !== null);
      const expected = (await query().orderBy("createdAt", direction).orderBy("id", "asc").execute()).map((row) => row.email);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(10);
    }
  });

  it("aggregates read as numbers on every dialect: count, sum, avg, min/max of a column as the column", async () => {
    const stats = await engine.db
      .selectFrom("users")
      .select((eb) => [
        eb.fn.countAll().as("n"),
        eb.fn.count("planTier").distinct().as("tiers"),
        eb.fn.sum(eb.fn("length", ["email"])).as("letters"),
        eb.fn.avg(eb.fn("length", ["name"])).as("averageName"),
        eb.fn.min("createdAt").as("first"),
      ])
      .executeTakeFirstOrThrow();
    expect(stats).toEqual({ n: USERS, tiers: 3, letters: 45 * 18, averageName: (10 * 6 + 35 * 7) / 45, first: new Date(Date.UTC(2024, 0, 1)) });
  });
});

describe("aggregates: the same values on every dialect", () => {
  it("count, sum and avg deep-equal across dialects", async () => {
    const results: unknown[] = [];
    for (const name of ALL_DIALECTS.filter((dialect) => dialect !== "postgres" || process.env.ATHANOR_TEST_POSTGRES !== "0")) {
      const database = await createTestDatabase(name);
      const engine = createEngine(database.url, { schema: agentPlatform });
      try {
        await initializeDatabase(engine, agentPlatform);
        const owner = await engine.db.insertInto("users").values({ email: "o@example.com", name: "O" }).returning("id").executeTakeFirstOrThrow();
        for (const name of ["a", "b", "c", "d"]) await engine.db.insertInto("squads").values({ userId: owner.id, name, status: name === "d" ? "paused" : "active" }).execute();
        results.push(
          await engine.db
            .selectFrom("squads")
            .select("status")
            .select((eb) => [eb.fn.countAll().as("n"), eb.fn.avg(eb.fn("length", ["name"])).as("avg")])
            .groupBy("status")
            .orderBy("status")
            .execute(),
        );
      } finally {
        await engine.dispose();
        await database.drop();
      }
    }
    for (const result of results.slice(1)) expect(result).toEqual(results[0]);
    expect(results[0]).toEqual([{ status: "active", n: 3, avg: 1 }, { status: "paused", n: 1, avg: 1 }]);
  });
});
