/**
 * Cases per property test: `base` (what the default `npx vitest run` runs) times
 * `ATHANOR_FUZZ_SCALE` (default 1; the nightly-size run sets 10). A fixed `ATHANOR_FUZZ_SEED`
 * replays a run; fast-check prints the seed and the shrunk counterexample of a failure.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbitrary, check), fuzzOptions(2_000));
 * ```
 */
export function fuzzRuns(base: number): number {
  const text = process.env.ATHANOR_FUZZ_SCALE;
  const scale = text === undefined || text === "" ? 1 : Number(text);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`ATHANOR_FUZZ_SCALE must be a positive number, got "${text}"`);
  return Math.max(1, Math.round(base * scale));
}

/** fast-check parameters for a property: {@link fuzzRuns} cases, the seed of `ATHANOR_FUZZ_SEED` if set. */
export function fuzzOptions(base: number): { numRuns: number; seed?: number } {
  const seed = process.env.ATHANOR_FUZZ_SEED;
  return seed === undefined || seed === "" ? { numRuns: fuzzRuns(base) } : { numRuns: fuzzRuns(base), seed: Number(seed) };
}

/** A vitest timeout that grows with `ATHANOR_FUZZ_SCALE`, for property tests that hit a database. */
export function fuzzTimeout(baseMillis: number): number {
  return Math.max(baseMillis, Math.round((baseMillis * fuzzRuns(1000)) / 1000));
}
