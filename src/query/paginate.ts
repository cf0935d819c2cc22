import { sql, type SelectQueryBuilder } from "kysely";
import { ConfigurationError } from "../errors.js";

/** One page of a query's rows, with the total over all pages. */
export interface Page<O> {
  readonly items: O[];
  /** Rows over all pages: a number on every dialect. */
  readonly total: number;
  readonly page: number;
  readonly perPage: number;
  /** Pages in all (0 when there are no rows). */
  readonly pages: number;
}

/** Options of {@link paginate}. */
export interface PaginateOptions {
  /** 1-based. */
  readonly page: number;
  readonly perPage: number;
  /** Largest `perPage` accepted (a request parameter should not choose the whole table). Default 1,000. */
  readonly maxPerPage?: number;
}

const TOTAL = "__athanor_total";

/**
 * Offset pagination in one round trip: the page's rows and, beside them, the total count
 * from a window (`count(*) over ()`), as seed 002's `get_paginated_users` returns them. Order
 * the query for stable pages. Only when a page past the end is asked for does a second,
 * one-row statement count the rows. Offsets slow down on deep pages of large tables (the
 * database still reads the skipped rows): use {@link paginateByKey} there.
 *
 * @example
 * ```ts
 * const page = await paginate(db.selectFrom("users").selectAll().orderBy("email"), { page: 2, perPage: 20 });
 * // { items: [...], total: 45, page: 2, perPage: 20, pages: 3 }
 * ```
 */
export async function paginate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, options: PaginateOptions): Promise<Page<O>> {
  const maxPerPage = options.maxPerPage ?? 1_000;
  const { page, perPage } = options;
  if (!Number.isSafeInteger(page) || page < 1) throw new ConfigurationError(`paginate(): page must be an integer from 1, got ${String(page)}`);
  if (!Number.isSafeInteger(perPage) || perPage < 1 || perPage > maxPerPage) throw new ConfigurationError(`paginate(): perPage must be an integer from 1 to ${maxPerPage}, got ${String(perPage)}`);
  const node = query.toOperationNode();
  if (node.limit !== undefined || node.offset !== undefined) throw new ConfigurationError("paginate(): the query already has a limit or offset; paginate sets them");
  // A window is computed before DISTINCT: it would count duplicates, and make them distinct by their count.
  if (node.distinctOn !== undefined || node.frontModifiers?.some((modifier) => modifier.modifier === "Distinct")) {
    throw new ConfigurationError("paginate(): a DISTINCT query cannot be counted in the same statement; use groupBy() for the same rows");
  }
  const counted = query.select(sql<number>`count(*) over ()`.as(TOTAL) as never) as unknown as SelectQueryBuilder<DB, TB, O & { [TOTAL]: number }>;
  const rows = await counted.limit(perPage).offset((page - 1) * perPage).execute();
  let total = Number(rows[0]?.[TOTAL] ?? 0);
  if (rows.length === 0 && page > 1) total = Number((await counted.limit(1).execute())[0]?.[TOTAL] ?? 0);
  const items = rows.map((row) => {
    const { [TOTAL]: _, ...item } = row;
    return item as unknown as O;
  });
  return { items, total, page, perPage, pages: Math.ceil(total / perPage) };
}
