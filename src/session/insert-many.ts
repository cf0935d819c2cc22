import type { Kysely } from "kysely";
import { ConfigurationError } from "../errors.js";

/** Options of `session.insertMany()`. */
export interface InsertManyOptions {
  /** Most rows per INSERT statement; lowered automatically to fit the dialect's parameter limit. */
  readonly chunkSize?: number;
}

/** What `session.insertMany()` did. */
export interface InsertManyResult {
  /** Rows inserted. */
  readonly inserted: number;
  /** INSERT statements sent. */
  readonly statements: number;
}

const DEFAULT_CHUNK_ROWS = 5_000;

/**
 * Chunked multi-row INSERT: as many rows per statement as the parameter limit allows
 * (PostgreSQL 65,535, SQLite 32,766), consecutive rows with the same columns together.
 */
export async function insertMany(
  db: Kysely<any>,
  table: string,
  rows: readonly Record<string, unknown>[],
  maxParameters: number,
  options: InsertManyOptions = {},
): Promise<InsertManyResult> {
  if (options.chunkSize !== undefined && (!Number.isInteger(options.chunkSize) || options.chunkSize < 1)) {
    throw new ConfigurationError(`insertMany option chunkSize must be a positive integer, got ${String(options.chunkSize)}`);
  }
  let inserted = 0;
  let statements = 0;
  for (const group of groupByColumns(rows)) {
    const perStatement = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK_ROWS, Math.floor(maxParameters / Math.max(1, group.columns))));
    for (let start = 0; start < group.rows.length; start += perStatement) {
      const chunk = group.rows.slice(start, start + perStatement);
      const result = await db.insertInto(table).values(chunk).executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? BigInt(chunk.length));
      statements++;
    }
  }
  return { inserted, statements };
}

function groupByColumns(rows: readonly Record<string, unknown>[]): Array<{ columns: number; rows: Record<string, unknown>[] }> {
  const groups: Array<{ key: string; columns: number; rows: Record<string, unknown>[] }> = [];
  for (const row of rows) {
    if (row === null || typeof row !== "object") throw new ConfigurationError("insertMany rows must be objects");
    const columns = Object.keys(row);
    const key = columns.join("\u0000");
    const last = groups.at(-1);
    if (last !== undefined && last.key === key) last.rows.push(row);
    else groups.push({ key, columns: columns.length, rows: [row] });
  }
  return groups;
}
