import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { createSessionFactory } from "../src/session/index.js";
import { InsertStatements } from "../src/session/insert-statements.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { fuzzOptions } from "./support/fuzz-runs.js";

describe("InsertStatements", () => {
  it("column lists that join to the same text get different statements", () => {
    const statements = new InsertStatements("sqlite");
    const joined = statements.sql("t", ["a\u0001b"], 1);
    const apart = statements.sql("t", ["a", "b"], 1);
    expect(joined).toBe('insert into "t" ("a\u0001b") values (?)');
    expect(apart).toBe('insert into "t" ("a", "b") values (?, ?)');
    expect(statements.sql("t\u0000a", ["b"], 1)).not.toBe(statements.sql("t", ["a\u0000b"], 1));
  });

  it("property: the statement always names exactly the table and columns asked for", () => {
    const name = fc.string({ unit: fc.constantFrom("a", "b", "\u0000", "\u0001", '"', ",", " "), maxLength: 4 });
    const statements = new InsertStatements("postgres");
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.array(name, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 8 }), (calls) => {
        for (const [table, columns, rows] of calls) {
          const fresh = new InsertStatements("postgres").sql(table, columns, rows);
          expect(statements.sql(table, columns, rows)).toBe(fresh);
        }
      }),
      fuzzOptions(2_000),
    );
  });
});

describeEachDialect("insertMany: column names that hold the old cache key's separators", (context) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = createEngine(context.url());
    await sql`create table sep (${sql.id("a\u0001b")} text, a text, b text)`.execute(engine.db);
  });
  afterAll(() => engine.dispose());

  it("each value lands in its own column", async () => {
    const sessions = createSessionFactory(engine);
    await sessions.run(async (db) => {
      await db.insertMany("sep", [{ "a\u0001b": "joined" }]);
      await db.insertMany("sep", [{ a: "left", b: "right" }]);
    });
    const rows = await engine.db.selectFrom("sep").selectAll().execute();
    expect(rows).toEqual([
      { "a\u0001b": "joined", a: null, b: null },
      { "a\u0001b": null, a: "left", b: "right" },
    ]);
  });
});
