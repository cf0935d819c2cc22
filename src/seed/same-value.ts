import { isDeepStrictEqual } from "node:util";
import { shortestFloat32 } from "../backends/vector-values.js";
import type { PortableType } from "../schema/portable-type.js";

/** True when a fixture value equals the stored (decoded) value of a column, as the database would compare them. Pure. */
export function sameValue(type: PortableType, given: unknown, stored: unknown): boolean {
  if (given === null || given === undefined || stored === null || stored === undefined) return (given ?? null) === (stored ?? null);
  switch (type.kind) {
    case "uuid": return String(given).toLowerCase() === String(stored).toLowerCase();
    case "timestamp": return new Date(given as Date | string).getTime() === new Date(stored as Date | string).getTime();
    case "bigint": return BigInt(given as bigint | number) === BigInt(stored as bigint | number);
    case "numeric": return Number(given).toFixed(type.scale) === Number(stored).toFixed(type.scale);
    case "vector": return isDeepStrictEqual((given as number[]).map(shortestFloat32), (stored as number[]).map(shortestFloat32));
    case "bytes": return Buffer.compare(Buffer.from(given as Uint8Array), Buffer.from(stored as Uint8Array)) === 0;
    case "json": return isDeepStrictEqual(JSON.parse(JSON.stringify(given)), stored);
    default: return given === stored;
  }
}
