import { sql, type Kysely } from "kysely";
import { expect, it } from "vitest";
import { DatabaseError } from "../src/errors.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { engineFactory, rejection } from "./support/engines.js";

const PEOPLE: Array<[number, string | null]> = [
  [1, "Alice"],
  [2, "alice"],
  [3, "Bob"],
  [4, "Bobby"],
  [5, "carol 42"],
  [6, null],
  [7, "multi\nline"],
];

/** Pattern → ids PostgreSQL's `name ~ pattern` returns (checked against PostgreSQL by the postgres run of this suite). */
const MATCHES: Array<[string, number[]]> = [
  ["^A", [1]],
  ["b", [3, 4]],
  ["^[a-c]", [2, 5]],
  ["\\d+$", [5]],
  ["ice$", [1, 2]],
  ["^Bob(by)?$", [3, 4]],
  ["^(Alice|carol)", [1, 5]],
  // PostgreSQL's defaults: `.` matches a newline; `^` anchors only the start of the string.
  ["multi.line", [7]],
  ["^line", []],
  ["(?i)^a", [1, 2]],
  ["(?n)^line", [7]],
];

const ALL_NAMED = PEOPLE.filter(([, name]) => name !== null).map(([id]) => id);

async function ids(query: Promise<Array<{ id: number }>>): Promise<number[]> {
  return (await query).map((row) => Number(row.id)).sort((a, b) => a - b);
}

describeEachDialect("regular expressions", (ctx) => {
  const open = engineFactory();
  /** The people table on a new engine (an in-memory database lives only as long as its engine). */
  const people = async (): Promise<Kysely<any>> => {
    const db = open(ctx.url()).db;
    await sql`create table if not exists people (id integer primary key, name text)`.execute(db);
    await db
      .insertInto("people")
      .values(PEOPLE.map(([id, name]) => ({ id, name })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    return db;
  };

  it("the native spelling (SQLite `REGEXP`, PostgreSQL `~`) returns PostgreSQL's rows", async () => {
    const db = await people();
    for (const [pattern, expected] of MATCHES) {
      const query = ctx.isPostgres ? sql<boolean>`name ~ ${pattern}` : sql<boolean>`name REGEXP ${pattern}`;
      const found = await ids(db.selectFrom("people").select("id").where(query).execute());
      expect(found, pattern).toEqual(expected);
    }
  });

  it("the portable spelling where(column, '~', pattern) runs on every dialect with the same rows", async () => {
    const db = await people();
    for (const [pattern, expected] of MATCHES) {
      expect(await ids(db.selectFrom("people").select("id").where("name", "~", pattern).execute()), pattern).toEqual(expected);
      const negated = ALL_NAMED.filter((id) => !expected.includes(id));
      expect(await ids(db.selectFrom("people").select("id").where("name", "!~", pattern).execute()), `!~ ${pattern}`).toEqual(negated);
    }
  });

  it("~* and !~* are case-insensitive on every dialect", async () => {
    const db = await people();
    expect(await ids(db.selectFrom("people").select("id").where("name", "~*", "^ALICE$").execute())).toEqual([1, 2]);
    expect(await ids(db.selectFrom("people").select("id").where("name", "!~*", "^b").execute())).toEqual([1, 2, 5, 7]);
    // Inside expressions and against another column's value too.
    const rows = await db
      .selectFrom("people")
      .select((eb) => ["id", eb("name", "~*", eb.val("^bob")).as("is_bob")])
      .where("id", "in", [1, 3])
      .orderBy("id")
      .execute();
    expect(rows.map((row) => Boolean(row.is_bob))).toEqual([false, true]);
  });

  it("works inside transactions and read-only transactions (every connection has REGEXP)", async () => {
    const db = await people();
    const run = (trx: Kysely<any>) => ids(trx.selectFrom("people").select("id").where("name", "~", "^Bob").execute());
    expect(await db.transaction().execute(run)).toEqual([3, 4]);
    expect(await db.transaction().setAccessMode("read only").execute(run)).toEqual([3, 4]);
  });

  it("an invalid pattern fails the statement with DatabaseError on every dialect", async () => {
    const db = await people();
    const error = await rejection(db.selectFrom("people").select("id").where("name", "~", "(unclosed").execute());
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(/regular expression/i);
  });
});
