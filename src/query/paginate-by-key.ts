import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from "kysely";
import { ConfigurationError, InvalidCursorError } from "../errors.js";

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
 * The cursor holds each key as the database has it, not only as JavaScript reads it: a
 * PostgreSQL timestamp has microseconds, a `Date` milliseconds, and continuing after the
 * millisecond would skip (or repeat) the rows of the same millisecond. So each key is also
 * selected as the database's text (a hidden column, removed from the rows), and timestamps are
 * compared with that text.
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
  paged = paged.select((eb) => orderBy.map(([reference], i) => sql<string>`cast(${eb.ref(reference)} as text)`.as(`${EXACT}${i}`))) as never;
  const rows = (await paged.limit(limit + 1).execute()) as Array<Record<string, unknown>>;
  const items = rows.slice(0, limit).map(withoutExactKeys) as O[];
  const last = rows[Math.min(limit, rows.length) - 1];
  const next = rows.length > limit && last !== undefined ? encodeCursor(orderBy.map(([reference], i) => keyValue(last, reference, last[`${EXACT}${i}`]))) : null;
  return { items, next };
}

/** The hidden selections holding each key as the database's text: `__athanor_key0`, `__athanor_key1`… */
const EXACT = "__athanor_key";

function withoutExactKeys(row: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in row) if (!key.startsWith(EXACT)) copy[key] = row[key];
  return copy;
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

/** A key's value for the cursor; a Date carries the database's exact text beside it. */
function keyValue(row: Record<string, unknown>, reference: string, exact: unknown): unknown {
  const name = reference.slice(reference.lastIndexOf(".") + 1);
  if (!(name in row)) throw new ConfigurationError(`paginateByKey(): the key column "${reference}" is not selected as "${name}"; select it to page after it`);
  const value = row[name];
  if (value === null || value === undefined) throw new ConfigurationError(`paginateByKey(): the key column "${reference}" is null in a row; key columns must be NOT NULL`);
  return value instanceof Date && typeof exact === "string" ? new ExactDate(value, exact) : value;
}

/** A timestamp key: the Date read, and the database's text of it (to the microsecond on PostgreSQL). */
class ExactDate {
  constructor(
    readonly date: Date,
    readonly text: string,
  ) {}
}

// Dates and bigints survive the trip through JSON tagged, so the next page compares with the same values.
function encodeCursor(values: readonly unknown[]): string {
  const tagged = values.map((value) =>
    value instanceof ExactDate
      ? { $date: value.date.toISOString(), $exact: value.text }
      : value instanceof Date
        ? { $date: value.toISOString() }
        : typeof value === "bigint"
          ? { $bigint: value.toString() }
          : value,
  );
  return Buffer.from(JSON.stringify(tagged)).toString("base64url");
}

/** The error for a cursor that no page of this query returned (garbled, forged or from another query). */
function forgedCursor(): InvalidCursorError {
  return new InvalidCursorError("paginateByKey(): the cursor is not one that this query's pagination returned");
}

function decodeCursor(cursor: string, length: number): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== length) throw forgedCursor();
  return values.map((value: unknown) => {
    if (value !== null && typeof value === "object") {
      const tag = value as { $date?: unknown; $exact?: unknown; $bigint?: unknown };
      if (typeof tag.$date === "string") return typeof tag.$exact === "string" ? tag.$exact : new Date(tag.$date); // the database reads its own text exactly
      if (typeof tag.$bigint === "string" && /^-?\d+$/.test(tag.$bigint)) return BigInt(tag.$bigint);
      throw forgedCursor();
    }
    return value;
  });
}
