/**
 * Orders revision ids by UTF-16 code units: stable across machines and locales, unlike
 * `localeCompare`.
 *
 * @example
 * ```ts
 * ["b1", "B2", "a1"].sort(compareIds); // ["B2", "a1", "b1"]
 * ```
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
