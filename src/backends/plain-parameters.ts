/** Arrays shorter than this are scanned anyway: the lookup would cost more than it saves. */
const WORTH_MARKING = 64;

const plain = new WeakSet<readonly unknown[]>();

/**
 * Marks a parameter array whose values are all strings, numbers, bigints or null: every
 * driver binds those as they are, so a backend may skip its conversion pass (a scan of
 * 10,000 values per chunk for `insertMany`). For code that built the array and checked each
 * value on the way. A WeakSet: nothing is kept alive.
 */
export function markPlainParameters(parameters: readonly unknown[]): void {
  if (parameters.length >= WORTH_MARKING) plain.add(parameters);
}

/** True when `parameters` was marked by {@link markPlainParameters}. */
export function arePlainParameters(parameters: readonly unknown[]): boolean {
  return parameters.length >= WORTH_MARKING && plain.has(parameters);
}
