import type { PortableType } from "../schema/portable-type.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32 = 2 ** 31;

/** Why a fixture value does not fit a column type, or undefined when it does. Pure. */
export function checkFixtureValue(type: PortableType, value: unknown): string | undefined {
  const got = describe(value);
  switch (type.kind) {
    case "uuid": return typeof value === "string" && UUID.test(value) ? undefined : `expected a UUID string, got ${got}`;
    case "text": return typeof value === "string" ? undefined : `expected a string, got ${got}`;
    case "varchar":
      if (typeof value !== "string") return `expected a string, got ${got}`;
      return [...value].length <= type.length ? undefined : `expected at most ${type.length} characters, got ${[...value].length}`;
    case "integer": return Number.isInteger(value) && Math.abs(value as number) < INT32 ? undefined : `expected a 32-bit integer, got ${got}`;
    case "bigint": return typeof value === "bigint" || Number.isSafeInteger(value) ? undefined : `expected a bigint or safe integer, got ${got}`;
    case "float": return typeof value === "number" && Number.isFinite(value) ? undefined : `expected a finite number, got ${got}`;
    case "numeric":
      return (typeof value === "number" && Number.isFinite(value)) || (typeof value === "string" && /^[-+]?\d+(\.\d+)?$/.test(value)) ? undefined : `expected a decimal number or string, got ${got}`;
    case "boolean": return typeof value === "boolean" ? undefined : `expected true or false, got ${got}`;
    case "timestamp":
      return (value instanceof Date || typeof value === "string") && !Number.isNaN(new Date(value as string).getTime()) ? undefined : `expected a Date or ISO-8601 text, got ${got}`;
    case "date": return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? undefined : `expected "YYYY-MM-DD", got ${got}`;
    case "json":
      try {
        return JSON.stringify(value) === undefined ? `expected a JSON value, got ${got}` : undefined;
      } catch (error) {
        return `expected a JSON value: ${(error as Error).message}`;
      }
    case "enum": return typeof value === "string" && type.values.includes(value) ? undefined : `expected one of ${type.values.map((v) => `"${v}"`).join(", ")}, got ${got}`;
    case "bytes": return value instanceof Uint8Array ? undefined : `expected a Buffer or Uint8Array, got ${got}`;
    case "vector":
      if (!Array.isArray(value) || !value.every((item) => typeof item === "number" && Number.isFinite(item))) return `expected an array of numbers, got ${got}`;
      return value.length === type.dimensions ? undefined : `expected ${type.dimensions} dimensions, got ${value.length}`;
    case "unknown": return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a Date";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
