import { Placeholder } from "../placeholder.js";
import { VectorParameter } from "../vector-parameter.js";
import { encodeSqliteVector } from "./sqlite-type-mapping.js";

/**
 * better-sqlite3 binds only numbers, strings, bigints, buffers and null. Portable values are
 * converted on the way in: booleans to 1/0, Dates to ISO-8601 text (sortable, readable,
 * millisecond precision), query vectors to float32 BLOBs, plain objects and arrays to JSON
 * text. The input is copied only when something needs converting.
 */
export function toSqliteParameters(parameters: readonly unknown[]): readonly unknown[] {
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i];
    if (value !== null && (typeof value === "boolean" || typeof value === "object" || value === undefined)) {
      if (Buffer.isBuffer(value)) continue;
      return parameters.map(convert);
    }
  }
  return parameters;
}

function convert(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof VectorParameter) return encodeSqliteVector(value.values);
  if (value instanceof Placeholder) throw value.unbound();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}
