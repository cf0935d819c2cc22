import { afterAll, afterEach, beforeAll, beforeEach, expect, it, onTestFinished } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { CheckViolationError, NotNullViolationError, UniqueViolationError } from "../src/errors.js";
import {
  bigint, boolean, bytes, date, defineSchema, dropAll, enumeration, float, initializeDatabase, integer, json, numeric, table, text, timestamp, uuid, varchar,
  type InferDatabase,
} from "../src/schema/index.js";
import { createSessionFactory } from "../src/session/index.js";
import { useSandbox } from "../src/testing/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";

// Every portable type but vector (a cast on PostgreSQL: those rows always go through Kysely).
const copied = table("copied", {
  id: uuid().primaryKey(),
  n: integer().notNull(),
  label: varchar(40).notNull(),
  body: text(),
  big: bigint(),
  ratio: float(),
  price: numeric(10, 2),
  flag: boolean(),
  at: timestamp(),
  day: date(),
  doc: json<{ text: string; list: number[] }>(),
  role: enumeration(["user", "assistant"]),
  blob: bytes(),
});
const schema = defineSchema({ copied });
type DB = InferDatabase<typeof schema>;

/** Text COPY must escape (tab, newline, carriage return, backslash), and JSON holding the same. */
const AWKWARD = "tab\there\nnew line\rreturn \\backslash \\N not null ünïcødé ✓ 'quote' \"double\"";

function uuidFor(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
}

function rowFor(index: number) {
  const odd = index % 2 === 1;
  return {
    id: uuidFor(index).toUpperCase(),
    n: index,
    label: `row ${index}`,
    body: odd ? AWKWARD : null,
    big: 9_007_199_254_700_000n + BigInt(index),
    ratio: odd ? 0.1 + 0.2 : -0,
    price: odd ? "12.5" : 3,
    flag: odd,
    at: new Date(Date.UTC(2024, 1, 29, 23, 59, 58, index % 1000)),
    day: "2024-02-29",
    doc: odd ? { text: AWKWARD, list: [1, 2.5, -3] } : null,
    role: odd ? ("assistant" as const) : ("user" as const),
    blob: odd ? Buffer.from([0, 9, 10, 13, 92, 255]) : null,
  };
}

/** Counts the COPY and INSERT statements the engine sent. */
function countStatements(engine: Engine<DB>): { copy: number; insert: number } {
  const counts = { copy: 0, insert: 0 };
  const listener = ({ sql }: { sql: string }) => {
    if (/^copy/i.test(sql)) counts.copy++;
    if (/^insert/i.test(sql)) counts.insert++;
  };
  engine.on("query", listener);
  onTestFinished(() => void engine.off("query", listener));
  return counts;
}

describeEachDialect("session.insertMany through COPY", (dialect) => {
  let base: Engine<DB>;
  beforeAll(async () => {
    base = createEngine(dialect.url(), { schema });
    await dropAll(base, schema);
    await initializeDatabase(base, schema);
  });
  afterAll(() => base.dispose());
  const sandbox = useSandbox(() => base, { beforeEach, afterEach });
  let engine: Engine<DB>;
  beforeEach(() => {
    engine = sandbox.engine;
  });

  it("stores 1,200 rows of every type exactly as insertInto stores them (COPY on PostgreSQL, INSERTs elsewhere)", async () => {
    const sessions = createSessionFactory(engine);
    const rows = Array.from({ length: 1_200 }, (_, index) => rowFor(index));
    const sent = countStatements(engine);
    const result = await sessions.run((db) => db.insertMany("copied", rows));
    expect(result.inserted).toBe(1_200);
    // PGlite 0.5 cannot take COPY FROM STDIN (its PostgreSQL exits): INSERTs there.
    expect(sent).toEqual(dialect.isServer ? { copy: 1, insert: 0 } : { copy: 0, insert: result.statements });
    // The reference: the same rows through Kysely's insertInto, under other ids.
    await engine.db
      .insertInto("copied")
      .values(rows.slice(0, 4).map((row, index) => ({ ...row, id: uuidFor(100_000 + index), n: 100_000 + index })))
      .execute();
    const stored = await engine.db.selectFrom("copied").selectAll().orderBy("n").execute();
    expect(stored).toHaveLength(1_204);
    const strip = ({ id, n, label, at, ...values }: Record<string, unknown>) => values;
    for (let index = 0; index < 4; index++) expect(strip(stored[index]!)).toEqual(strip(stored[1_200 + index]!));
    expect(stored[1]).toMatchObject({ id: uuidFor(1), body: AWKWARD, doc: { text: AWKWARD, list: [1, 2.5, -3] }, price: "12.50", big: 9_007_199_254_700_001n });
    expect(stored[1]!.blob).toEqual(Buffer.from([0, 9, 10, 13, 92, 255]));
    expect(stored.slice(0, 1_200).map((row) => row.at!.getTime())).toEqual(rows.map((row) => row.at.getTime()));
  });

  it("a duplicate key is a UniqueViolationError that aborts the transaction; in nested() only the block is undone", async () => {
    const sessions = createSessionFactory(engine);
    const rows = Array.from({ length: 1_000 }, (_, index) => rowFor(index));
    const failed = await rejection(
      sessions.run(async (db) => {
        await db.insertInto("copied").values(rowFor(500)).execute();
        await db.insertMany("copied", rows);
      }),
    );
    expect(failed).toBeInstanceOf(UniqueViolationError);
    expect(await engine.db.selectFrom("copied").select("n").execute()).toEqual([]);

    await sessions.run(async (db) => {
      await db.insertInto("copied").values(rowFor(500)).execute();
      expect(await rejection(db.nested((inner) => inner.insertMany("copied", rows)))).toBeInstanceOf(UniqueViolationError);
      await db.insertMany("copied", rows.filter((row) => row.n !== 500));
    });
    expect((await engine.db.selectFrom("copied").select("n").execute()).length).toBe(1_000);
  });

  it("refused values are the same typed errors as an INSERT's: NOT NULL, CHECK (an enum value)", async () => {
    const sessions = createSessionFactory(engine);
    const rows = Array.from({ length: 1_000 }, (_, index) => rowFor(index));
    const nulls = rows.map((row, index) => (index === 700 ? { ...row, label: null as unknown as string } : row));
    expect(await rejection(sessions.run((db) => db.insertMany("copied", nulls)))).toBeInstanceOf(NotNullViolationError);
    const roles = rows.map((row, index) => (index === 900 ? { ...row, role: "system" as "user" } : row));
    expect(await rejection(sessions.run((db) => db.insertMany("copied", roles)))).toBeInstanceOf(CheckViolationError);
    expect(await engine.db.selectFrom("copied").select("n").execute()).toEqual([]);
  });

  it("uses INSERTs when chunkSize is given, and for fewer than 1,000 rows", async () => {
    const sessions = createSessionFactory(engine);
    const sent = countStatements(engine);
    await sessions.run((db) => db.insertMany("copied", Array.from({ length: 999 }, (_, index) => rowFor(index))));
    await sessions.run((db) => db.insertMany("copied", Array.from({ length: 1_000 }, (_, index) => rowFor(1_000 + index)), { chunkSize: 500 }));
    expect(sent.copy).toBe(0);
    expect(await engine.db.selectFrom("copied").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst()).toEqual({ n: 1_999 });
  });
});
