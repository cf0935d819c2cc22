import type { SqliteConnectionHandle } from "../../engine/engine-options.js";
import { decodeSqliteVector } from "./sqlite-type-mapping.js";

type Metric = (a: readonly number[], b: readonly number[]) => number | null;

/**
 * The vector distance functions `nearest()` calls, over float32 BLOBs: the same arithmetic
 * as the PostgreSQL functions (double precision, element order), so rankings agree.
 */
export function registerSqliteVectorFunctions(connection: SqliteConnectionHandle): void {
  connection.function("athanor_cosine_distance", { deterministic: true }, wrap(cosineDistance));
  connection.function("athanor_l2_distance", { deterministic: true }, wrap(l2Distance));
}

function wrap(metric: Metric): (a: unknown, b: unknown) => number | null {
  return (a, b) => {
    if (a === null || b === null) return null;
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) throw new TypeError("vector distance needs two vector values");
    const left = decodeSqliteVector(a);
    const right = decodeSqliteVector(b);
    if (left.length !== right.length) throw new RangeError(`different vector dimensions ${left.length} and ${right.length}`);
    return metric(left, right);
  };
}

function cosineDistance(a: readonly number[], b: readonly number[]): number | null {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  const denominator = Math.sqrt(normA) * Math.sqrt(normB);
  return denominator === 0 ? null : 1 - dot / denominator;
}

function l2Distance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) * (a[i]! - b[i]!);
  return Math.sqrt(sum);
}
