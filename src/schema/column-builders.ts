import { checkPortableType } from "./check-portable-type.js";
import { createColumn } from "./column.js";

/** A JSON value as stored in `json()` columns when no type parameter is given. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** UUID as a lowercase string: PostgreSQL `uuid`, SQLite text. */
export const uuid = () => createColumn<string>({ kind: "uuid" });

/** Unbounded text. */
export const text = () => createColumn<string>({ kind: "text" });

/** Text of at most `length` characters (enforced by PostgreSQL; SQLite stores any length). */
export function varchar(length: number) {
  return createColumn<string>(checkPortableType({ kind: "varchar", length }, "varchar()"));
}

/** 32-bit integer, read as `number`. */
export const integer = () => createColumn<number>({ kind: "integer" });

/**
 * 64-bit integer. Read as `bigint` (default) or, with `{ mode: "number" }`, as `number`.
 * Exact on PostgreSQL; on SQLite exact within ±2^53 (better-sqlite3 reads integers as doubles).
 */
export function bigint(options?: { mode?: "bigint" }): ReturnType<typeof createColumn<bigint, bigint | number>>;
export function bigint(options: { mode: "number" }): ReturnType<typeof createColumn<number>>;
export function bigint(options: { mode?: "bigint" | "number" } = {}) {
  return createColumn<unknown>({ kind: "bigint" }, options.mode ?? "bigint");
}

/** Double-precision float (PostgreSQL `double precision`, SQLite `REAL`). */
export const float = () => createColumn<number>({ kind: "float" });

/** Same as {@link float}. */
export const double = float;

/**
 * Exact decimal with `precision` digits, `scale` of them after the point. Read as a string
 * with exactly `scale` decimals (e.g. `"12.50"`) on both dialects; write a string or number.
 * SQLite keeps 15 significant digits.
 */
export function numeric(precision: number, scale = 0) {
  return createColumn<string, string | number>(checkPortableType({ kind: "numeric", precision, scale }, "numeric()"));
}

/** true / false (SQLite stores 1 / 0). */
export const boolean = () => createColumn<boolean>({ kind: "boolean" });

/** A point in time, read as `Date` (PostgreSQL `timestamptz`, SQLite ISO-8601 UTC text; millisecond precision). */
export const timestamp = () => createColumn<Date>({ kind: "timestamp" });

/** A calendar date as `"YYYY-MM-DD"` text on both dialects (no time zone shifts). */
export const date = () => createColumn<string>({ kind: "date" });

/** Any JSON value, typed by the parameter (PostgreSQL `jsonb`, SQLite JSON text). */
export const json = <T = JsonValue>() => createColumn<T>({ kind: "json" });

/**
 * One of a fixed set of strings: text plus a CHECK constraint on both dialects (so adding a
 * value is an ordinary migration). Typed as the union of the values.
 *
 * @example
 * ```ts
 * role: enumeration(["user", "assistant", "system"]).notNull()
 * ```
 */
export function enumeration<const T extends readonly [string, ...string[]]>(values: T) {
  return createColumn<T[number]>(checkPortableType({ kind: "enum", values: Object.freeze([...values]) }, "enumeration()"));
}

/** Binary data, read as `Buffer` (PostgreSQL `bytea`, SQLite BLOB). */
export const bytes = () => createColumn<Buffer, Uint8Array>({ kind: "bytes" });

/**
 * An embedding of `dimensions` single-precision floats, read as `number[]` (each value rounded
 * to float32, shortest form). pgvector's `vector(n)` when the extension is available, `real[]`
 * otherwise; a float32 BLOB on SQLite. Query it with `nearest()` / `vectorDistance()`.
 */
export function vector(dimensions: number) {
  return createColumn<number[]>(checkPortableType({ kind: "vector", dimensions }, "vector()"));
}
