import { sql, type Expression, type Kysely } from "kysely";
import type { PortableType } from "../../schema/portable-type.js";
import type { DefaultModel } from "../../schema/schema-model.js";
import type { CatalogTable, DdlContext, TypeMapping } from "../type-mapping.js";
import { shortestFloat32, toVector } from "../vector-values.js";
import { readSqliteCatalog } from "./sqlite-catalog.js";
import { quoteLiteral } from "../quote-literal.js";

const NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
// A version 4 UUID from SQLite built-ins, so the default also works for SQL written outside Athanor.
const RANDOM_UUID_SQL =
  "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || " +
  "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";
const CONTEXT: DdlContext = Object.freeze({ vectorStorage: "float32-blob" });
/** The types SQLite stores in another form than their portable value (see `decode`). */
const DECODED: ReadonlySet<PortableType["kind"]> = new Set(["boolean", "timestamp", "json", "vector", "bigint", "numeric", "uuid"]);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** The types whose finite numbers `encode` returns as they are (NaN is not finite: it is refused). */
const NUMBERS_AS_IS: ReadonlySet<PortableType["kind"]> = new Set(["integer", "bigint", "float", "numeric"]);

/** Encodes a vector as little-endian float32 (4 bytes per dimension). */
export function encodeSqliteVector(values: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(values.length * 4);
  values.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer;
}

/** Decodes a float32 vector BLOB. */
export function decodeSqliteVector(buffer: Uint8Array): number[] {
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const values: number[] = new Array(view.length >> 2);
  for (let i = 0; i < values.length; i++) values[i] = view.readFloatLE(i * 4);
  return values;
}

/**
 * SQLite storage of portable types. Declared types keep the portable name and get the right
 * affinity (`UUID TEXT`, `TIMESTAMP TEXT`, `JSON TEXT`…), so the catalog reads back the same
 * schema; timestamps are ISO-8601 UTC text with milliseconds, which sorts and compares correctly.
 */
export const sqliteTypeMapping: TypeMapping = {
  columnType(type) {
    switch (type.kind) {
      case "uuid": return "UUID TEXT";
      case "text": case "enum": return "TEXT";
      case "varchar": return `VARCHAR(${type.length})`;
      case "integer": return "INTEGER";
      case "bigint": return "BIGINT";
      case "float": return "REAL";
      case "numeric": return `NUMERIC(${type.precision}, ${type.scale})`;
      case "boolean": return "BOOLEAN";
      case "timestamp": return "TIMESTAMP TEXT";
      case "date": return "DATE TEXT";
      case "json": return "JSON TEXT";
      case "bytes": return "BLOB";
      case "vector": return `VECTOR(${type.dimensions})`;
      case "unknown": return type.sql;
    }
  },
  defaultSql(type, value) {
    // SQLite accepts an expression default only in parentheses.
    if (value.kind === "now") return `(${NOW_SQL})`;
    if (value.kind === "randomUuid") return `(${RANDOM_UUID_SQL})`;
    if (value.kind === "sql") return value.sql;
    return literal(type, value.value);
  },
  currentTimestampSql: NOW_SQL,
  vectorCheck: (column, dimensions) => `length(${column}) = ${dimensions * 4}`,
  identity: (builder) => builder.primaryKey().autoIncrement(),
  identityDeclaresPrimaryKey: true,
  prepare: async () => CONTEXT,
  // SQLite has one kind of index: one that names an access method is PostgreSQL's.
  createsIndex: (index) => index.method === undefined,
  dropSupport: async () => {},
  encode(type, value) {
    // SQLite stores NaN as NULL; refused, so a value never reads back as something else.
    if (typeof value === "number" && Number.isNaN(value)) throw new RangeError("NaN cannot be stored: SQLite would store NULL");
    switch (type.kind) {
      case "json": return JSON.stringify(value);
      case "vector": return encodeSqliteVector(toVector(value));
      case "uuid": return typeof value === "string" ? value.toLowerCase() : value;
      case "boolean": return typeof value === "boolean" ? (value ? 1 : 0) : value;
      case "timestamp": return value instanceof Date ? value.toISOString() : value;
      case "bytes": return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
      case "bigint": return checkSafeBigint(value);
      default: return value;
    }
  },
  encodesNumbers: (type) => !NUMBERS_AS_IS.has(type.kind),
  parameterCast: () => undefined,
  decode(type, value) {
    if (value === null || value === undefined) return value;
    switch (type.kind) {
      case "boolean": return typeof value === "number" || typeof value === "bigint" ? value !== 0 && value !== 0n : value;
      case "timestamp": return typeof value === "string" ? parseTimestamp(value) : value;
      case "json": return typeof value === "string" ? JSON.parse(value) : value;
      case "vector": return value instanceof Uint8Array ? decodeSqliteVector(value).map(shortestFloat32) : value;
      case "bigint": return typeof value === "number" ? BigInt(value) : value;
      case "numeric": return typeof value === "number" ? value.toFixed(type.scale) : typeof value === "bigint" ? `${value}${type.scale > 0 ? `.${"0".repeat(type.scale)}` : ""}` : value;
      case "uuid": return typeof value === "string" ? value.toLowerCase() : value;
      default: return value;
    }
  },
  decodes: (type) => DECODED.has(type.kind),
  jsonValue(value, type) {
    switch (type?.kind) {
      case "json": return sql`json(${value})`;
      // JSON holds no BLOB: bytes and vectors travel as hex (hex(NULL) would be '').
      case "bytes": case "vector": return sql`case when ${value} is null then null else hex(${value}) end`;
      default: return value;
    }
  },
  jsonObject(pairs) {
    // SQLite functions take at most 1,000 arguments.
    if (pairs.length > 500) throw new RangeError(`a loaded relation selects ${pairs.length} columns; SQLite builds JSON objects of at most 500`);
    return pairs.length === 0 ? sql`json_object()` : sql`json_object(${sql.join(pairs.flatMap(([key, value]) => [sql.lit(key), value]))})`;
  },
  jsonArrayAggregate: (element) => sql`coalesce(json_group_array(${element}), json('[]'))`,
  jsonEmbed: (value) => sql`json(${value})`,
  decodeJson(type, value) {
    if (value === null || value === undefined) return value;
    switch (type.kind) {
      case "bytes": return typeof value === "string" ? Buffer.from(value, "hex") : value;
      case "vector": return typeof value === "string" ? decodeSqliteVector(Buffer.from(value, "hex")).map(shortestFloat32) : value;
      case "json": return value;
      default: return this.decode(type, value);
    }
  },
  parseColumnType(sqlType) {
    const normalized = sqlType.trim().toUpperCase().replace(/\s+/g, " ");
    const sized = /^(\w+(?: \w+)*)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(normalized);
    if (sized !== null) {
      const [, name, first, second] = sized;
      if (name === "VARCHAR") return { kind: "varchar", length: Number(first) };
      if (name === "NUMERIC") return { kind: "numeric", precision: Number(first), scale: Number(second ?? 0) };
      if (name === "VECTOR") return { kind: "vector", dimensions: Number(first) };
    }
    const simple: Record<string, PortableType> = {
      "UUID TEXT": { kind: "uuid" },
      TEXT: { kind: "text" },
      INTEGER: { kind: "integer" },
      BIGINT: { kind: "bigint" },
      REAL: { kind: "float" },
      BOOLEAN: { kind: "boolean" },
      "TIMESTAMP TEXT": { kind: "timestamp" },
      "DATE TEXT": { kind: "date" },
      "JSON TEXT": { kind: "json" },
      BLOB: { kind: "bytes" },
    };
    return simple[normalized] ?? { kind: "unknown", sql: sqlType };
  },
  parseDefault(text) {
    const trimmed = stripParentheses(text.trim());
    const compact = trimmed.replace(/\s+/g, "");
    if (compact === NOW_SQL.replace(/\s+/g, "") || /^current_timestamp$/i.test(trimmed)) return { kind: "now" };
    if (compact === RANDOM_UUID_SQL.replace(/\s+/g, "")) return { kind: "randomUuid" };
    const quoted = /^'((?:[^']|'')*)'$/.exec(trimmed);
    if (quoted !== null) return { kind: "value", value: quoted[1]!.replaceAll("''", "'") };
    if (/^[-+]?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(trimmed)) return { kind: "value", value: Number(trimmed) };
    if (/^(true|false)$/i.test(trimmed)) return { kind: "value", value: trimmed.toLowerCase() === "true" };
    return { kind: "sql", sql: text };
  },
  readCatalog: (db: Kysely<any>): Promise<CatalogTable[]> => readSqliteCatalog(db),
};

function literal(type: PortableType, value: unknown): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") return String(value);
  if (type.kind === "json") return quoteLiteral(JSON.stringify(value));
  if (type.kind === "integer" || type.kind === "bigint" || type.kind === "float" || type.kind === "numeric") return String(value);
  return quoteLiteral(String(value));
}

// better-sqlite3 reads integers as doubles: a bigint beyond ±2^53 − 1 would be stored exactly
// and read back rounded, so it is refused when written.
function checkSafeBigint(value: unknown): unknown {
  if (typeof value === "bigint" && (value > MAX_SAFE || value < -MAX_SAFE)) {
    throw new RangeError(`${value} is beyond ±2^53 − 1, which SQLite columns read back exactly (better-sqlite3 reads integers as doubles)`);
  }
  return value;
}

function stripParentheses(text: string): string {
  while (text.startsWith("(") && text.endsWith(")") && balanced(text.slice(1, -1))) text = text.slice(1, -1).trim();
  return text;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === "(") depth++;
    else if (char === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

// Text written by other tools may lack the zone (`CURRENT_TIMESTAMP` gives "YYYY-MM-DD HH:MM:SS", UTC).
function parseTimestamp(text: string): Date {
  const hasZone = /(z|[+-]\d\d:?\d\d)$/i.test(text);
  return new Date(hasZone ? text : `${text.replace(" ", "T")}Z`);
}

