import { sql } from "kysely";
import { expect, it } from "vitest";
import { ConfigurationError, TransactionAbortedError, UniqueViolationError } from "../src/errors.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { itemNames, sessionHarness, type SessionFixture } from "./support/session-harness.js";

interface Row {
  id: number;
  name: string;
  qty: number;
}

function rows(count: number, from = 1): Row[] {
  return Array.from({ length: count }, (_, i) => ({ id: from + i, name: `item ${from + i}`, qty: (from + i) % 7 }));
}

/** Counts INSERT statements the engine actually sent. */
function countInserts(fixture: SessionFixture): { readonly count: number } {
  const counter = { count: 0 };
  fixture.on("query", ({ sql: text }) => {
    if (/^insert/i.test(text)) counter.count++;
  });
  return counter;
}

async function totals({ engine }: SessionFixture): Promise<{ n: number; qty: number }> {
  const { rows: [row] } = await sql<{ n: number | string; qty: number | string }>`select count(*) as n, coalesce(sum(qty), 0) as qty from items`.execute(engine.db);
  return { n: Number(row!.n), qty: Number(row!.qty) };
}

describeEachDialect("session.insertMany", (ctx) => {
  const setup = sessionHarness(ctx);

  it("inserts 100,000 rows in one transaction, in statements that fit the parameter limit", async () => {
    const fixture = await setup();
    const sent = countInserts(fixture);
    const data = rows(100_000);
    const maxParameters = fixture.engine.capabilities.maxParameters;
    const result = await fixture.sessions.run((db) => db.insertMany("items", data, { chunkSize: 100_000 }));

    expect(result.inserted).toBe(100_000);
    expect(result.statements).toBe(sent.count);
    // Three parameters a row: as few statements as the limit allows, and never a statement over it.
    expect(result.statements).toBe(Math.ceil(100_000 / Math.floor(maxParameters / 3)));
    if (ctx.isPostgres) expect(result.statements).toBeGreaterThanOrEqual(2);
    expect(await totals(fixture)).toEqual({ n: 100_000, qty: data.reduce((sum, row) => sum + row.qty, 0) });
  });

  it("with the default chunk size, splits into several statements and inserts everything", async () => {
    const fixture = await setup();
    const sent = countInserts(fixture);
    const result = await fixture.sessions.run((db) => db.insertMany("items", rows(6_000)));
    expect(result.inserted).toBe(6_000);
    expect(result.statements).toBeGreaterThanOrEqual(2);
    expect(result.statements).toBe(sent.count);
    expect((await totals(fixture)).n).toBe(6_000);
  });

  it("honours chunkSize, and rejects an invalid one before sending anything", async () => {
    const fixture = await setup();
    const sent = countInserts(fixture);
    expect(await fixture.sessions.run((db) => db.insertMany("items", rows(10), { chunkSize: 3 }))).toEqual({ inserted: 10, statements: 4 });
    await expect(fixture.sessions.run((db) => db.insertMany("items", rows(2, 100), { chunkSize: 0 }))).rejects.toBeInstanceOf(ConfigurationError);
    expect(sent.count).toBe(4);
    expect((await totals(fixture)).n).toBe(10);
  });

  it("groups rows by their columns, so rows that leave a column to its default keep the default", async () => {
    const fixture = await setup();
    const mixed = [{ id: 1, name: "a", qty: 5 }, { id: 2, name: "b" }, { id: 3, name: "c" }, { id: 4, name: "d", qty: 6 }];
    const result = await fixture.sessions.run((db) => db.insertMany("items", mixed));
    expect(result).toEqual({ inserted: 4, statements: 3 });
    const stored = await fixture.engine.db.selectFrom("items").select(["id", "qty"]).orderBy("id").execute();
    expect(stored).toEqual([
      { id: 1, qty: 5 },
      { id: 2, qty: 0 },
      { id: 3, qty: 0 },
      { id: 4, qty: 6 },
    ]);
  });

  it("a Kysely expression goes through Kysely; an undefined value leaves the column to its default, on every dialect", async () => {
    const fixture = await setup();
    const sent = countInserts(fixture);
    const mixed = [
      { id: 1, name: "plain", qty: 1 },
      { id: 2, name: sql<string>`'built' || ${"!"}`, qty: 2 },
      { id: 3, name: "defaulted", qty: undefined },
      { id: 4, name: "plain again", qty: 4 },
    ];
    const result = await fixture.sessions.run((db) => db.insertMany("items", mixed));
    // Plain row 1; row 2 built by Kysely; row 3 without qty; row 4 plain again.
    expect(result).toEqual({ inserted: 4, statements: 4 });
    expect(sent.count).toBe(4);
    const stored = await fixture.engine.db.selectFrom("items").select(["id", "name", "qty"]).orderBy("id").execute();
    expect(stored).toEqual([
      { id: 1, name: "plain", qty: 1 },
      { id: 2, name: "built!", qty: 2 },
      { id: 3, name: "defaulted", qty: 0 },
      { id: 4, name: "plain again", qty: 4 },
    ]);
  });

  it.runIf(ctx.isSqlite)("converts values better-sqlite3 cannot bind as they are (booleans, Dates), as every statement does", async () => {
    const fixture = await setup();
    const at = new Date("2024-02-29T12:00:00.000Z");
    const data = rows(40).map((row) => (row.id === 20 ? { ...row, name: at as never, qty: true as never } : row));
    await fixture.sessions.run((db) => db.insertMany("items", data));
    const stored = await fixture.engine.db.selectFrom("items").select(["name", "qty"]).where("id", "=", 20).executeTakeFirstOrThrow();
    expect(stored).toEqual({ name: at.toISOString(), qty: 1 });
    expect((await totals(fixture)).n).toBe(40);
  });

  it("reuses one statement text for every full chunk (prepared once)", async () => {
    const fixture = await setup();
    const texts: string[] = [];
    fixture.on("query", ({ sql: text }) => {
      if (/^insert/i.test(text)) texts.push(text);
    });
    expect(await fixture.sessions.run((db) => db.insertMany("items", rows(10), { chunkSize: 3 }))).toEqual({ inserted: 10, statements: 4 });
    expect(new Set(texts.slice(0, 3)).size).toBe(1);
    expect(texts[3]).not.toBe(texts[0]);
    expect(texts[0]).toBe(
      `insert into "items" ("id", "name", "qty") values ${[0, 1, 2].map((row) => `(${[1, 2, 3].map((n) => (ctx.isPostgres ? `$${3 * row + n}` : "?")).join(", ")})`).join(", ")}`,
    );
  });

  it("no rows: no statement, nothing inserted", async () => {
    const fixture = await setup();
    const sent = countInserts(fixture);
    expect(await fixture.sessions.run((db) => db.insertMany("items", []))).toEqual({ inserted: 0, statements: 0 });
    expect(sent.count).toBe(0);
  });

  it("belongs to the session's transaction: a rollback removes every chunk", async () => {
    const fixture = await setup();
    const db = fixture.sessions.open();
    const result = await db.insertMany("items", rows(30), { chunkSize: 7 });
    expect(result.statements).toBe(5);
    await db.rollback();
    await db.close();
    expect((await totals(fixture)).n).toBe(0);
  });

  it("a failing chunk aborts the transaction; inside nested() only that block is undone", async () => {
    const fixture = await setup();
    const duplicate = [...rows(5), { id: 99, name: "item 3", qty: 0 }];
    const error = await rejection(fixture.sessions.run((db) => db.insertMany("items", duplicate, { chunkSize: 3 })));
    expect(error).toBeInstanceOf(UniqueViolationError);
    expect((await totals(fixture)).n).toBe(0);

    await fixture.sessions.run(async (db) => {
      await db.insertInto("items").values({ id: 1000, name: "kept" }).execute();
      await expect(db.nested((sp) => sp.insertMany("items", duplicate, { chunkSize: 3 }))).rejects.toBeInstanceOf(UniqueViolationError);
      expect(db.state).toBe("active");
    });
    expect(await itemNames(fixture.engine)).toEqual(["kept"]);

    const aborted = fixture.sessions.open();
    await rejection(aborted.insertMany("items", duplicate));
    await expect(aborted.insertMany("items", rows(1, 500))).rejects.toBeInstanceOf(TransactionAbortedError);
    await aborted.close();
  });
});
