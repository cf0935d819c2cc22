/**
 * Rounds a number to single precision and returns the shortest decimal that rounds back to
 * the same float32, which is what PostgreSQL prints for `real` and pgvector values, so a
 * vector reads back as the same numbers from every storage.
 */
export function shortestFloat32(value: number): number {
  const single = Math.fround(value);
  if (!Number.isFinite(single) || single === 0) return single;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return Number(single.toPrecision(9));
}

/** Checks and normalises a vector value written by the application. */
export function toVector(value: unknown): number[] {
  const items = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
  if (!Array.isArray(items) || !items.every((item) => typeof item === "number" && Number.isFinite(item))) {
    throw new TypeError("a vector must be an array of finite numbers");
  }
  return items.map(shortestFloat32);
}
