import { SchemaDefinitionError } from "../errors.js";
import type { PortableType } from "./portable-type.js";
import type { DefaultModel } from "./schema-model.js";

// The limits are PostgreSQL's (varchar, numeric) and pgvector's (vector); SQLite takes the
// same, so one schema behaves the same on every dialect.
const MAX_VARCHAR = 10_485_760;
const MAX_PRECISION = 1_000;
const MAX_DIMENSIONS = 16_000;

/** Parameters each kind takes: every one is written into DDL, so each is checked and no other is accepted. */
const PARAMETERS: Readonly<Record<PortableType["kind"], readonly string[]>> = {
  uuid: [], text: [], integer: [], bigint: [], float: [], boolean: [], timestamp: [], date: [], json: [], bytes: [],
  varchar: ["length"],
  numeric: ["precision", "scale"],
  enum: ["values"],
  vector: ["dimensions"],
  unknown: ["sql"],
};

const INTEGER_TEXT = /^[-+]?\d+$/;
const DECIMAL_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)$/;
const FLOAT_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const UNWRITABLE = /\u0000|\p{Surrogate}/u;

/**
 * Checks a portable type given at an API boundary (a column builder, an `op.*` call, an
 * `Operation` as data) before any of it reaches DDL: a known kind, only its own parameters,
 * each an integer in range (`varchar` length 1…10,485,760, `numeric` precision 1…1,000 and
 * scale 0…precision, `vector` dimensions 1…16,000), enum values distinct strings without
 * U+0000 or lone surrogates. `{ kind: "unknown", sql }` is raw SQL by design (what introspection
 * reads back for a type with no portable equivalent). Throws {@link SchemaDefinitionError}
 * naming `where` and the parameter.
 *
 * @example
 * ```ts
 * checkPortableType({ kind: "varchar", length: 200 }, 'column "name"'); // returned as is
 * checkPortableType({ kind: "varchar", length: "10)); drop table x; --" }, 'column "name"'); // throws
 * ```
 */
export function checkPortableType(type: unknown, where: string): PortableType {
  const fail = (problem: string): never => {
    throw new SchemaDefinitionError(`${where}: ${problem}`);
  };
  if (type === null || typeof type !== "object") return fail(`a type must be a type name or { kind, … }, got ${describe(type)}`);
  const { kind } = type as { kind?: unknown };
  if (typeof kind !== "string" || !Object.hasOwn(PARAMETERS, kind)) {
    return fail(`unknown type kind ${describe(kind)}; expected one of ${Object.keys(PARAMETERS).filter((name) => name !== "unknown").join(", ")}`);
  }
  const allowed = PARAMETERS[kind as PortableType["kind"]];
  for (const key of Object.keys(type)) {
    if (key !== "kind" && !allowed.includes(key)) fail(`${kind} takes ${allowed.length === 0 ? "no parameters" : allowed.join(", ")}, not "${key}"`);
  }
  const value = type as Record<string, unknown>;
  switch (kind) {
    case "varchar":
      integerIn(value.length, 1, MAX_VARCHAR, "varchar length", fail);
      break;
    case "numeric":
      integerIn(value.precision, 1, MAX_PRECISION, "numeric precision", fail);
      integerIn(value.scale, 0, value.precision as number, "numeric scale", fail);
      break;
    case "vector":
      integerIn(value.dimensions, 1, MAX_DIMENSIONS, "vector dimensions", fail);
      break;
    case "enum": {
      const values = value.values;
      if (!Array.isArray(values) || values.length === 0) fail("enum values must be a non-empty array of strings");
      for (const item of values as unknown[]) {
        if (typeof item !== "string") fail(`enum values must be strings, got ${describe(item)}`);
        if (UNWRITABLE.test(item as string)) fail(`enum value ${JSON.stringify(item)} holds U+0000 or a lone surrogate, which no database stores`);
      }
      if (new Set(values as string[]).size !== (values as string[]).length) fail(`enum values must be distinct: ${JSON.stringify(values)}`);
      break;
    }
    case "unknown":
      if (typeof value.sql !== "string" || value.sql.trim() === "") fail("an unknown type needs its SQL type as a string");
      break;
  }
  return type as PortableType;
}

/**
 * Checks a literal column default (`{ kind: "value", value }`) against its column's type: a
 * number default is written into DDL unquoted, so it must be a finite number or numeric text;
 * objects only for `json`; text without U+0000 or lone surrogates. Other default kinds (`now`,
 * `randomUuid`, raw `sql`) pass; any other kind is refused. Throws {@link SchemaDefinitionError}.
 *
 * @example
 * ```ts
 * checkDefault({ kind: "integer" }, { kind: "value", value: 0 }, 'column "priority"'); // passes
 * checkDefault({ kind: "integer" }, { kind: "value", value: "0; drop table x" }, 'column "priority"'); // throws
 * ```
 */
export function checkDefault(type: PortableType, value: DefaultModel, where: string): DefaultModel {
  const fail = (problem: string): never => {
    throw new SchemaDefinitionError(`${where}: ${problem}`);
  };
  if (value === null || typeof value !== "object" || !["value", "now", "randomUuid", "sql"].includes(value.kind)) {
    return fail(`a default is "now", "randomUuid", { value } or { sql }, got ${describe(value === null || typeof value !== "object" ? value : value.kind)}`);
  }
  if (value.kind === "sql" && typeof value.sql !== "string") fail("a { sql } default needs its SQL as a string");
  if (value.kind !== "value") return value;
  const literal = value.value;
  if (literal === null || typeof literal === "boolean") return value;
  if (typeof literal === "number") {
    if (!Number.isFinite(literal)) fail(`default ${literal} is not a finite number`);
    return value;
  }
  if (typeof literal === "string") {
    const numeric = { integer: INTEGER_TEXT, bigint: INTEGER_TEXT, numeric: DECIMAL_TEXT, float: FLOAT_TEXT }[type.kind as string];
    if (numeric !== undefined && !numeric.test(literal)) fail(`default ${JSON.stringify(literal)} is not a number for a ${type.kind} column`);
    if (UNWRITABLE.test(literal)) fail(`default ${JSON.stringify(literal)} holds U+0000 or a lone surrogate, which no database stores`);
    return value;
  }
  if (typeof literal === "object" && type.kind === "json") return value;
  return fail(`default ${describe(literal)} cannot be written for a ${type.kind} column`);
}

function integerIn(value: unknown, min: number, max: number, what: string, fail: (problem: string) => never): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(`${what} must be ${min === 1 ? `a positive integer up to ${max}` : `an integer from ${min} to ${max}`}, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}
