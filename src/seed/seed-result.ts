import type { SeedError } from "../errors.js";

/** What seeding did to one table. */
export interface SeedTableResult {
  readonly table: string;
  /**
   * `seeded`: committed. `failed`: the table whose row failed. `rolled back`: seeded, then
   * undone because a later table failed. `not run`: not reached.
   */
  readonly status: "seeded" | "failed" | "rolled back" | "not run";
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

/**
 * The result set of {@link seed}: per table, in foreign-key order, what was inserted,
 * updated and found unchanged. When `ok` is false nothing was written and `error` names
 * the table, row and column.
 *
 * @example
 * ```ts
 * const result = await seed(engine, schema, fixtures);
 * if (!result.ok) throw result.error;
 * for (const t of result.tables) console.log(`${t.table}: +${t.inserted} ~${t.updated} =${t.unchanged}`);
 * ```
 */
export type SeedResult =
  | { readonly ok: true; readonly tables: readonly SeedTableResult[] }
  | { readonly ok: false; readonly tables: readonly SeedTableResult[]; readonly error: SeedError };
