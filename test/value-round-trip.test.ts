import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { shortestFloat32 } from "../src/backends/vector-values.js";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { AthanorError } from "../src/errors.js";
import {
  bigint, boolean, bytes, date, defineSchema, enumeration, float, initializeDatabase, integer, json, numeric, table, text, timestamp, uuid, varchar, vector,
} from "../src/schema/index.js";
import { createSessionFactory } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { fuzzOptions, fuzzTimeout } from "./support/fuzz-runs.js";
import { hostileText } from "./support/hostile-text.js";

const values = table("vals", {
  id: integer().primaryKey(),
  text: text(),
  short: varchar(10),
  int: integer(),
  big: bigint(),
  real: float(),
  money: numeric(12, 2),
  flag: boolean(),
  at: timestamp(),
  day: date(),
  doc: json(),
  role: enumeration(["user", "assistant", "it's; --"]),
  blob: bytes(),
  uid: uuid(),
  embedding: vector(3),
});
const schema = defineSchema({ values });

/** What a column reads back, by the schema's value policy (docs/schema.md), for a value it takes. */
const EXPECTED: Record<string, (value: any) => unknown> = {
  uid: (value: string) => value.toLowerCase(),
  money: (value: string) => value,
  doc: (value: unknown) => JSON.parse(JSON.stringify(value)),
  blob: (value: Uint8Array) => Buffer.from(value),
  embedding: (value: number[]) => value.map(shortestFloat32),
};

/** A decimal within numeric(12, 2), written as text with 0–2 decimals; it reads back with exactly 2. */
const decimal = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 9_999_999_999n }), fc.integer({ min: 0, max: 99 }), fc.constantFrom(0, 1, 2))
  .map(([negative, whole, cents, digits]) => {
    const fraction = String(cents).padStart(2, "0");
    const written = `${negative ? "-" : ""}${whole}${digits === 0 ? "" : `.${fraction.slice(0, digits)}`}`;
    const read = `${negative && (whole !== 0n || (digits > 0 && Number(fraction.slice(0, digits)) !== 0)) ? "-" : ""}${whole}.${digits === 0 ? "00" : fraction.slice(0, digits).padEnd(2, "0")}`;
    return { written, read };
  });

const column = {
  text: hostileText({ maxLength: 16 }),
  short: hostileText({ maxLength: 6 }),
  int: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 1.5)),
  big: fc.oneof(fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(2n ** 63n)),
  real: fc.double(),
  flag: fc.boolean(),
  at: fc.oneof(fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true }), fc.date()),
  day: fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  doc: fc.jsonValue(),
  role: fc.oneof(fc.constantFrom("user", "assistant", "it's; --"), hostileText({ maxLength: 3 })),
  blob: fc.uint8Array({ maxLength: 32 }),
  uid: fc.uuid().map((id) => id.replace(/[a-f]/g, (c) => (Math.random() < 0.5 ? c.toUpperCase() : c))),
  embedding: fc.oneof(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }), { minLength: 3, maxLength: 3 }), fc.array(fc.double(), { maxLength: 4 })),
};

type Row = Record<string, unknown>;

const row = fc
  .record({
    ...Object.fromEntries(Object.entries(column).map(([name, arbitrary]) => [name, fc.option(arbitrary as fc.Arbitrary<unknown>, { nil: undefined, freq: 3 })])),
    money: fc.option(decimal, { nil: undefined, freq: 3 }),
  })
  .map((generated) => Object.fromEntries(Object.entries(generated).filter(([, value]) => value !== undefined)) as Row);

function written(generated: Row): Row {
  const out: Row = {};
  for (const [name, value] of Object.entries(generated)) out[name] = name === "money" ? (value as { written: string }).written : value;
  return out;
}

function expected(generated: Row): Row {
  const out: Row = {};
  for (const name of Object.keys(values.$columns)) {
    if (name === "id") continue;
    const value = generated[name];
    if (value === undefined) out[name] = null;
    else if (name === "money") out[name] = (value as { read: string }).read;
    else out[name] = (EXPECTED[name] ?? ((v: unknown) => v))(value);
  }
  return out;
}

/** -0 reads back as 0 from some storages (float32 vectors, JSON): zero is compared as zero. */
function positiveZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(positiveZero);
  if (value !== null && typeof value === "object" && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, positiveZero(item)]));
  }
  return value;
}

describeEachDialect("values round-trip through insert and select exactly, or are refused with a typed error", (context) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = createEngine(context.url(), { schema });
    await initializeDatabase(engine, schema);
  });
  afterAll(() => engine.dispose());

  it.each<[string, Row, boolean]>([
    ["a lone surrogate in text", { text: "a\ud800b" }, true],
    ["a lone surrogate in json text", { doc: "a\ud800b" }, false],
    ["NaN in a float column", { real: Number.NaN }, false],
    ["a bigint beyond 2^53", { big: 2n ** 60n + 1n }, false],
    ["varchar(10) overflowing with spaces", { short: "abcdefghij   " }, false],
    ["an invalid Date", { at: new Date(Number.NaN) }, true],
    // Halfway between two float32s: PostgreSQL prints -3.8452632e+07, the shortest is -38452630.
    ["a vector element whose shortest float32 decimal is a tie", { embedding: [-38452630, 16777217, 0.1] }, false],
  ])("%s round-trips or is refused with a typed error", async (_, value, refusedEverywhere) => {
    const key = Math.floor(Math.random() * 1e9);
    const error = await engine.db
      .insertInto("vals")
      .values({ id: key, ...value } as never)
      .execute()
      .then(() => undefined, (caught: unknown) => caught);
    if (error === undefined) {
      expect(refusedEverywhere).toBe(false);
      const [read] = await engine.db.selectFrom("vals").selectAll().where("id", "=", key).execute();
      const [name] = Object.keys(value);
      expect((read as Row)[name!]).toEqual(expected(value)[name!]);
    } else {
      expect(error).toBeInstanceOf(AthanorError);
    }
  });

  for (const path of ["insertInto().values()", "session.insertMany()"] as const) {
    it(
      `property: ${path}`,
      async () => {
        const sessions = createSessionFactory(engine);
        let id = path === "insertInto().values()" ? 0 : 1_000_000;
        await fc.assert(
          fc.asyncProperty(row, async (generated) => {
            const key = ++id;
            const insert = { id: key, ...written(generated) };
            try {
              if (path === "insertInto().values()") await engine.db.insertInto("vals").values(insert as never).execute();
              else await sessions.run((db) => db.insertMany("vals", [insert]));
            } catch (error) {
              // Refused: typed, and nothing written.
              if (!(error instanceof AthanorError)) throw error;
              expect(await engine.db.selectFrom("vals").select("id").where("id", "=", key).execute()).toEqual([]);
              return;
            }
            const [read] = await engine.db.selectFrom("vals").selectAll().where("id", "=", key).execute();
            const { id: _, ...rest } = read as Row;
            expect(positiveZero(rest)).toEqual(positiveZero(expected(generated)));
          }),
          fuzzOptions(150),
        );
        await sql`delete from vals`.execute(engine.db);
      },
      fuzzTimeout(60_000),
    );
  }
});
