import type { Expression, ExpressionBuilder, SelectQueryBuilder, SqlBool } from "kysely";
import { ConfigurationError } from "../errors.js";

/** One page of keyset pagination: the rows, and the cursor of the next page (null on the last). */
export interface KeysetPage<O> {
  readonly items: O[];
  readonly next: string | null;
}

/** Options of {@link paginateByKey}. */
export interface KeysetOptions {
  /**
   * The sort key: column references and directions, the last one unique (the primary key), so
   * rows never tie. Every key column is NOT NULL and selected under its own name (the part of
   * the reference after the last dot).
   */
  readonly orderBy: ReadonlyArray<readonly [string, "asc" | "desc"]>;
  readonly limit: number;
  /** The `next` cursor of the previous page; absent or null for the first page. */
  readonly after?: string | null;
  /** Largest `limit` accepted. Default 1,000. */
  readonly maxLimit?: number;
}

/**
 * Keyset (cursor) pagination: each page continues after the last row of the previous one
 * (`where (createdAt, id) < (…, …)`, written out per key so mixed directions work), so a deep
 * page costs what the first one does, where an offset makes the database read and discard
 * every row before it. The cursor is opaque text for the client to send back.
 *
 * @example
 * ```ts
 * const first = await paginateByKey(db.selectFrom("messages").selectAll(), { orderBy: [["createdAt", "desc"], ["id", "desc"]], limit: 50 });
 * const second = await paginateByKey(db.selectFrom("messages").selectAll(), { orderBy: [["createdAt", "desc"], ["id", "desc"]], limit: 50, after: first.next });
 * ```
 */
export async function paginateByKey<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, options: KeysetOptions): Promise<KeysetPage<O>> {
  const { orderBy, limit } = options;
  const maxLimit = options.maxLimit ?? 1_000;
  if (orderBy.length === 0) throw new ConfigurationError("paginateByKey(): orderBy needs at least one key (end with a unique one, such as the primary key)");
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) throw new ConfigurationError(`paginateByKey(): limit must be an integer from 1 to ${maxLimit}, got ${String(limit)}`);
  const node = query.toOperationNode();
  if (node.orderBy !== undefined || node.limit !== undefined || node.offset !== undefined) {
    throw new ConfigurationError("paginateByKey(): the query already has an order, limit or offset; paginateByKey sets them from its options");
  }
  let paged = query as SelectQueryBuilder<any, any, O>;
  if (options.after !== undefined && options.after !== null) {
    const values = decodeCursor(options.after, orderBy.length);
    paged = paged.where((eb) => after(eb, orderBy, values));
  }
  for (const [reference, direction] of orderBy) paged = paged.orderBy(reference, direction);
  const rows = await paged.limit(limit + 1).execute();
  const items = rows.slice(0, limit);
  const last = items.at(-1) as Record<string, unknown> | undefined;
  const next = rows.length > limit && last !== undefined ? encodeCursor(orderBy.map(([reference]) => keyValue(last, reference))) : null;
  return { items, next };
}

/** `(k1 > v1) or (k1 = v1 and k2 > v2) or …`, each comparison in its key's direction. */
function after(eb: ExpressionBuilder<any, any>, orderBy: KeysetOptions["orderBy"], values: readonly unknown[]): Expression<SqlBool> {
  const branches = orderBy.map((_, i) =>
    eb.and([
      ...orderBy.slice(0, i).map(([reference], j) => eb(eb.ref(reference), "=", values[j])),
      eb(eb.ref(orderBy[i]![0]), orderBy[i]![1] === "asc" ? ">" : "<", values[i]),
    ]),
  );
  return eb.or(branches);
}

function keyValue(row: Record<string, unknown>, reference: string): unknown {
  const name = reference.slice(reference.lastIndexOf(".") + 1);
  if (!(name in row)) throw new ConfigurationError(`paginateByKey(): the key column "${reference}" is not selected as "${name}"; select it to page after it`);
  const value = row[name];
  if (value === null || value === undefined) throw new ConfigurationError(`paginateByKey(): the key column "${reference}" is null in a row; key columns must be NOT NULL`);
  return value;
}

// Dates and bigints survive the trip through JSON tagged, so the next page compares with the same values.
function encodeCursor(values: readonly unknown[]): string {
  const tagged = values.map((value) => (value instanceof Date ? { $date: value.toISOString() } : typeof value === "bigint" ? { $bigint: value.toString() } : value));
  return Buffer.from(JSON.stringify(tagged)).toString("base64url");
}

function decodeCursor(cursor: string, length: number): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== length) throw new ConfigurationError("paginateByKey(): the cursor is not one that this query's pagination returned");
  return values.map((value: unknown) => {
    if (value !== null && typeof value === "object") {
      const tag = value as { $date?: unknown; $bigint?: unknown };
      if (typeof tag.$date === "string") return new Date(tag.$date);
      if (typeof tag.$bigint === "string" && /^-?\d+$/.test(tag.$bigint)) return BigInt(tag.$bigint);
      throw new ConfigurationError("paginateByKey(): the cursor is not one that this query's pagination returned");
    }
    return value;
  });
}
