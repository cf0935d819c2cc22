import { sql, type Expression, type Kysely } from "kysely";
import type pg from "pg";
import type { PortableType } from "../../schema/portable-type.js";
import type { DefaultModel } from "../../schema/schema-model.js";
import type { CatalogTable, DdlContext, TypeMapping } from "../type-mapping.js";
import { shortestFloat32, toVector } from "../vector-values.js";
import { readPostgresCatalog } from "./postgres-catalog.js";
import { quoteLiteral } from "../quote-literal.js";

const DATE_OID = 1082;

/**
 * Type parsers for one engine's connections (never pg's global registry): `date` stays
 * `"YYYY-MM-DD"` text instead of a Date at local midnight. Everything else keeps pg's
 * parsers (timestamptz → Date, jsonb → parsed, int8 and numeric → string, which the schema
 * plugin converts per column).
 */
export function postgresTypeParsers(driver: typeof pg): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === DATE_OID && format !== "binary" ? (value: string) => value : driver.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
  };
}

/**
 * The distance functions `nearest()` calls. With pgvector they wrap its operators (SQL
 * functions this simple are inlined, so its indexes still apply); without it they work on
 * `real[]`, in double precision, in element order — the same arithmetic as SQLite's.
 */
const ARRAY_FUNCTIONS = [
  `create or replace function athanor_cosine_distance(a real[], b real[]) returns double precision
   language sql immutable parallel safe as $$
     select 1 - sum(x::float8 * y::float8) / nullif(sqrt(sum(x::float8 * x::float8)) * sqrt(sum(y::float8 * y::float8)), 0)
     from unnest(a, b) as t(x, y) $$`,
  `create or replace function athanor_l2_distance(a real[], b real[]) returns double precision
   language sql immutable parallel safe as $$
     select sqrt(sum((x::float8 - y::float8) * (x::float8 - y::float8))) from unnest(a, b) as t(x, y) $$`,
];
const PGVECTOR_FUNCTIONS = [
  `create or replace function athanor_cosine_distance(a vector, b real[]) returns double precision
   language sql immutable parallel safe as $$ select a <=> b::vector $$`,
  `create or replace function athanor_l2_distance(a vector, b real[]) returns double precision
   language sql immutable parallel safe as $$ select a <-> b::vector $$`,
];

/** pgvector's index access methods. */
const VECTOR_METHODS = new Set(["hnsw", "ivfflat"]);

/** PostgreSQL storage of portable types. */
export const postgresTypeMapping: TypeMapping = {
  columnType(type, context) {
    switch (type.kind) {
      case "uuid": return "uuid";
      case "text": case "enum": return "text";
      case "varchar": return `varchar(${type.length})`;
      case "integer": return "integer";
      case "bigint": return "bigint";
      case "float": return "double precision";
      case "numeric": return `numeric(${type.precision}, ${type.scale})`;
      case "boolean": return "boolean";
      case "timestamp": return "timestamptz";
      case "date": return "date";
      case "json": return "jsonb";
      case "bytes": return "bytea";
      case "vector": return context.vectorStorage === "pgvector" ? `vector(${type.dimensions})` : "real[]";
      case "unknown": return type.sql;
    }
  },
  defaultSql(type, value) {
    if (value.kind === "now") return "now()";
    if (value.kind === "randomUuid") return "gen_random_uuid()";
    if (value.kind === "sql") return value.sql;
    return literal(type, value.value);
  },
  currentTimestampSql: "now()",
  vectorCheck: (column, dimensions, context) => (context.vectorStorage === "pgvector" ? undefined : `cardinality(${column}) = ${dimensions}`),
  identity: (builder) => builder.generatedByDefaultAsIdentity(),
  identityDeclaresPrimaryKey: false,
  async prepare(db, needs): Promise<DdlContext> {
    if (!needs.vectors) return { vectorStorage: "real-array" };
    if (needs.assumePgvector === true) await sql`create extension if not exists vector`.execute(db);
    const pgvector = needs.assumePgvector === true || (await enablePgvector(db));
    for (const statement of pgvector ? [...ARRAY_FUNCTIONS, ...PGVECTOR_FUNCTIONS] : ARRAY_FUNCTIONS) await sql.raw(statement).execute(db);
    return { vectorStorage: pgvector ? "pgvector" : "real-array" };
  },
  // pgvector's methods index its vector type only; other methods are PostgreSQL's own.
  createsIndex: (index, columnTypes, context) =>
    !VECTOR_METHODS.has(index.method ?? "") || (context.vectorStorage === "pgvector" && columnTypes.every((type) => type === undefined || type.kind === "vector")),
  async dropSupport(db) {
    await sql`drop function if exists athanor_cosine_distance(real[], real[]), athanor_l2_distance(real[], real[])`.execute(db);
    if (await extensionInstalled(db)) await sql`drop function if exists athanor_cosine_distance(vector, real[]), athanor_l2_distance(vector, real[])`.execute(db);
  },
  encode(type, value) {
    switch (type.kind) {
      case "json": return JSON.stringify(value);
      case "vector": return toVector(value);
      case "varchar": return checkLength(value, type.length);
      case "bigint": return typeof value === "bigint" ? value.toString() : value;
      default: return value;
    }
  },
  // Finite numbers of these types go as they are (`bigint` converts bigints only); the server checks ranges.
  encodesNumbers: (type) => !(type.kind === "integer" || type.kind === "bigint" || type.kind === "float" || type.kind === "numeric"),
  // A vector parameter is sent as real[]; pgvector casts real[] to vector on assignment.
  parameterCast: (type) => (type.kind === "vector" ? "real[]" : undefined),
  decode(type, value) {
    if (value === null || value === undefined) return value;
    switch (type.kind) {
      case "bigint": return typeof value === "string" || typeof value === "number" ? BigInt(value) : value;
      case "vector": return (typeof value === "string" ? (JSON.parse(value) as number[]) : (value as number[])).map(shortestFloat32);
      default: return value;
    }
  },
  // The engine's type parsers give every other type as its portable value already.
  decodes: (type) => type.kind === "bigint" || type.kind === "vector",
  jsonValue(value, type) {
    switch (type?.kind) {
      case "bigint": case "numeric": return sql`${value}::text`;
      case "bytes": return sql`encode(${value}, 'base64')`;
      // pgvector's vector and real[] alike: a JSON array of numbers.
      case "vector": return sql`${value}::real[]`;
      default: return value;
    }
  },
  jsonObject(pairs) {
    // json_build_object takes at most 100 arguments: wider objects are merged from chunks.
    const chunks: Array<Expression<unknown>> = [];
    for (let i = 0; i < pairs.length || i === 0; i += 50) {
      const args = pairs.slice(i, i + 50).flatMap(([key, value]) => [sql.lit(key), value]);
      chunks.push(args.length === 0 ? sql`json_build_object()` : sql`json_build_object(${sql.join(args)})`);
    }
    return chunks.length === 1 ? chunks[0]! : sql`(${sql.join(chunks.map((chunk) => sql`${chunk}::jsonb`), sql` || `)})::json`;
  },
  jsonArrayAggregate: (element) => sql`coalesce(json_agg(${element}), '[]'::json)`,
  jsonEmbed: (value) => value,
  decodeJson(type, value) {
    if (value === null || value === undefined) return value;
    switch (type.kind) {
      case "timestamp": return typeof value === "string" ? new Date(value) : value;
      case "bigint": return typeof value === "string" || typeof value === "number" ? BigInt(value) : value;
      case "bytes": return typeof value === "string" ? Buffer.from(value, "base64") : value;
      case "vector": return Array.isArray(value) ? value.map((item: number) => shortestFloat32(item)) : value;
      default: return value;
    }
  },
  parseColumnType(sqlType, dimensionCheck) {
    const normalized = sqlType.trim().toLowerCase();
    const sized = /^([a-z ]+)\((\d+)(?:,(\d+))?\)$/.exec(normalized.replace(/\s*([(),])\s*/g, "$1"));
    if (sized !== null) {
      const [, name, first, second] = sized;
      if (name === "character varying") return { kind: "varchar", length: Number(first) };
      if (name === "numeric") return { kind: "numeric", precision: Number(first), scale: Number(second ?? 0) };
      if (name === "vector") return { kind: "vector", dimensions: Number(first) };
    }
    if (normalized === "real[]" && dimensionCheck !== undefined) {
      const dimensions = /cardinality\([^)]*\)\s*=\s*(\d+)/i.exec(dimensionCheck);
      if (dimensions !== null) return { kind: "vector", dimensions: Number(dimensions[1]) };
    }
    const simple: Record<string, PortableType> = {
      uuid: { kind: "uuid" },
      text: { kind: "text" },
      integer: { kind: "integer" },
      bigint: { kind: "bigint" },
      "double precision": { kind: "float" },
      boolean: { kind: "boolean" },
      "timestamp with time zone": { kind: "timestamp" },
      date: { kind: "date" },
      jsonb: { kind: "json" },
      bytea: { kind: "bytes" },
    };
    return simple[normalized] ?? { kind: "unknown", sql: sqlType };
  },
  parseDefault(text) {
    const trimmed = text.trim();
    if (/^(now\(\)|current_timestamp)$/i.test(trimmed)) return { kind: "now" };
    if (/^gen_random_uuid\(\)$/i.test(trimmed)) return { kind: "randomUuid" };
    const quoted = /^'((?:[^']|'')*)'(?:::[\w ]+(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?)?$/.exec(trimmed);
    if (quoted !== null) return { kind: "value", value: quoted[1]!.replaceAll("''", "'") };
    if (/^\(?[-+]?\d+(\.\d+)?(e[-+]?\d+)?\)?$/i.test(trimmed)) return { kind: "value", value: Number(trimmed.replace(/[()]/g, "")) };
    if (/^(true|false)$/i.test(trimmed)) return { kind: "value", value: trimmed.toLowerCase() === "true" };
    return { kind: "sql", sql: text };
  },
  readCatalog: (db: Kysely<any>): Promise<CatalogTable[]> => readPostgresCatalog(db),
};

// PostgreSQL cuts an over-long value silently when the excess is spaces (and refuses it
// otherwise): refused here in every case, so a value never reads back shorter.
function checkLength(value: unknown, length: number): unknown {
  if (typeof value === "string" && value.length > length) {
    const characters = [...value].length;
    if (characters > length) throw new RangeError(`${characters} characters do not fit varchar(${length})`);
  }
  return value;
}

function literal(type: PortableType, value: unknown): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  switch (type.kind) {
    case "json": return `${quoteLiteral(JSON.stringify(value))}::jsonb`;
    case "timestamp": return `${quoteLiteral(String(value))}::timestamptz`;
    case "integer": case "bigint": case "float": case "numeric": return String(value);
    default: return quoteLiteral(String(value));
  }
}

async function extensionInstalled(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ installed: boolean }>`select exists (select 1 from pg_extension where extname = 'vector') as installed`.execute(db);
  return rows[0]?.installed === true;
}

// pgvector when it is installed or can be installed here; otherwise (e.g. Debian 12, which
// does not package it) vectors are real[] with the same functions.
async function enablePgvector(db: Kysely<any>): Promise<boolean> {
  if (await extensionInstalled(db)) return true;
  const { rows } = await sql<{ available: boolean }>`select exists (select 1 from pg_available_extensions where name = 'vector') as available`.execute(db);
  if (rows[0]?.available !== true) return false;
  try {
    await sql`create extension if not exists vector`.execute(db);
    return true;
  } catch {
    return false;
  }
}
