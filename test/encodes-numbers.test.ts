import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { postgresTypeMapping } from "../src/backends/postgres/postgres-type-mapping.js";
import { sqliteTypeMapping } from "../src/backends/sqlite/sqlite-type-mapping.js";
import type { TypeMapping } from "../src/backends/type-mapping.js";
import {
  bigint, boolean, bytes, date, defineSchema, enumeration, float, integer, json, numeric, SchemaPlugin, table, text, timestamp, uuid, varchar, vector,
} from "../src/schema/index.js";
import type { PortableType } from "../src/schema/portable-type.js";
import { fuzzOptions } from "./support/fuzz-runs.js";

// `encodesNumbers(type) === false` lets insertMany skip `encode` for finite numbers: these
// tests hold both mappings, and the schema plugin's column encoders, to that promise.

const TYPES: readonly PortableType[] = [
  { kind: "uuid" }, { kind: "text" }, { kind: "varchar", length: 3 }, { kind: "integer" }, { kind: "bigint" }, { kind: "float" },
  { kind: "numeric", precision: 4, scale: 2 }, { kind: "boolean" }, { kind: "timestamp" }, { kind: "date" }, { kind: "json" },
  { kind: "enum", values: ["a"] }, { kind: "bytes" }, { kind: "vector", dimensions: 2 }, { kind: "unknown", sql: "money" },
];
const NUMERIC_KINDS = ["integer", "bigint", "float", "numeric"];
const MAPPINGS: ReadonlyArray<[string, TypeMapping]> = [["sqlite", sqliteTypeMapping], ["postgres", postgresTypeMapping]];
const EDGES = [0, -0, 1, -1, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 123_456_789.125];
const finite = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(...EDGES));

const samples = table("samples", {
  id: uuid(), label: text(), short: varchar(3), count: integer(), big: bigint(), smallBig: bigint({ mode: "number" }), ratio: float(),
  price: numeric(4, 2), flag: boolean(), at: timestamp(), day: date(), doc: json(), role: enumeration(["a"]), blob: bytes(), embedding: vector(2),
});
const schema = defineSchema({ samples });

describe.each(MAPPINGS)("%s type mapping: encodesNumbers", (_, mapping) => {
  it("is false for integer, bigint, float and numeric (the bulk insert fast case), true for json and vector", () => {
    for (const type of TYPES) {
      if (NUMERIC_KINDS.includes(type.kind)) expect(mapping.encodesNumbers(type), type.kind).toBe(false);
      if (type.kind === "json" || type.kind === "vector") expect(mapping.encodesNumbers(type), type.kind).toBe(true);
    }
  });

  it("is false only where encode returns every finite number as it is", () => {
    const keeping = TYPES.filter((type) => !mapping.encodesNumbers(type));
    fc.assert(
      fc.property(finite, (value) => {
        for (const type of keeping) expect(Object.is(mapping.encode(type, value), value), `${type.kind} ${value}`).toBe(true);
      }),
      fuzzOptions(500),
    );
  });

  it("insertMany's column encoders say finiteNumbersAsIs exactly where the mapping keeps numbers, and keep them", () => {
    const plugin = new SchemaPlugin(schema, mapping);
    // A column with a parameter cast (vectors on PostgreSQL) sends the rows through Kysely: left out.
    const columns = samples.$definition.columns.filter((column) => mapping.parameterCast(column.definition.type) === undefined);
    const encoders = plugin.insertEncoders("samples", columns.map((column) => column.name));
    expect(encoders).toHaveLength(columns.length);
    encoders!.forEach((encode, i) => expect(encode?.finiteNumbersAsIs, columns[i]!.name).toBe(!mapping.encodesNumbers(columns[i]!.definition.type)));
    const keeping = encoders!.filter((encode) => encode?.finiteNumbersAsIs === true);
    expect(keeping.length).toBe(5);
    fc.assert(
      fc.property(finite, (value) => {
        for (const encode of keeping) expect(Object.is(encode!(value), value)).toBe(true);
      }),
      fuzzOptions(500),
    );
  });

  it("non-finite numbers are not in the promise: NaN is refused on SQLite, and goes through encode everywhere", () => {
    for (const type of TYPES.filter((t) => NUMERIC_KINDS.includes(t.kind))) {
      if (mapping === sqliteTypeMapping) expect(() => mapping.encode(type, Number.NaN)).toThrow(/NaN cannot be stored/);
      else expect(mapping.encode(type, Number.NaN)).toBeNaN();
    }
  });
});
