import { createQueryId, RawNode, type CompiledQuery, type Kysely, type QueryResult } from "kysely";
import { CopyRows } from "../backends/copy-rows.js";
import { markPlainParameters } from "../backends/plain-parameters.js";
import { ConfigurationError } from "../errors.js";
import type { InsertStatements } from "./insert-statements.js";

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

/**
 * Turns a column's JS value into the parameter the database gets (the schema's value policy);
 * `undefined`: as is. `finiteNumbersAsIs`: it returns every finite number as it is, so
 * `insertMany` passes those without calling it (a numeric column of 10,000 rows: 10,000 calls).
 */
export type ColumnEncoder = (((value: unknown) => unknown) & { readonly finiteNumbersAsIs?: boolean }) | undefined;

/** What `insertMany` needs from the session it runs in. */
export interface InsertManyTarget {
  /** The session: statements run in its transaction. */
  readonly db: Kysely<any>;
  readonly maxParameters: number;
  /** The backend takes `COPY … FROM STDIN` (PostgreSQL). */
  readonly copyFrom: boolean;
  readonly statements: InsertStatements;
  /** One encoder per column, or `undefined` when a column needs SQL around its parameter (only a Kysely query can say it). */
  readonly encoders: (table: string, columns: readonly string[]) => readonly ColumnEncoder[] | undefined;
}

const DEFAULT_CHUNK_ROWS = 5_000;
/**
 * From this many rows on, a backend with COPY gets them as COPY data: the server parses no
 * statement with thousands of placeholders, and the client sends text instead of binding
 * parameters (measured on PostgreSQL: equal at 1,000 rows, 1.7× faster at 10,000 and 100,000).
 */
const COPY_MIN_ROWS = 1_000;
/** Rows per COPY: bounds the text held in memory at once. */
const COPY_MAX_ROWS = 50_000;

/**
 * Chunked multi-row INSERT: as many rows per statement as the parameter limit allows
 * (PostgreSQL 65,535, SQLite 32,766), consecutive rows with the same columns together.
 *
 * Rows of plain values go straight into parameters of a reused statement text, as a raw
 * driver user writes it; rows with a Kysely expression and columns that need a cast go
 * through Kysely's `insertInto().values()`, with the same result. A value `undefined`
 * leaves the column to its default, as a missing key does, on every dialect.
 */
export async function insertMany(
  target: InsertManyTarget,
  table: string,
  rows: readonly Record<string, unknown>[],
  options: InsertManyOptions = {},
): Promise<InsertManyResult> {
  if (options.chunkSize !== undefined && (!Number.isInteger(options.chunkSize) || options.chunkSize < 1)) {
    throw new ConfigurationError(`insertMany option chunkSize must be a positive integer, got ${String(options.chunkSize)}`);
  }
  let inserted = 0;
  let statements = 0;
  let start = 0;
  let source = rows;
  while (start < source.length) {
    const first = rowAt(source, start);
    if (hasUndefined(first)) {
      // `undefined` means the column's default, as a missing key does. Kysely alone would
      // write DEFAULT, which SQLite reads as NULL; without the key it is the default everywhere.
      source = [...source.slice(0, start), ...source.slice(start).map(withoutUndefined)];
      continue;
    }
    const columns = Object.keys(first);
    const perStatement = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK_ROWS, Math.floor(target.maxParameters / Math.max(1, columns.length))));
    const encoders = columns.length === 0 ? undefined : target.encoders(table, columns);
    // COPY only into the schema's own tables (an encoder slot per column): a view or a table
    // with INSERT rules takes an INSERT but not a COPY.
    const copying = target.copyFrom && options.chunkSize === undefined && encoders?.length === columns.length && source.length - start >= COPY_MIN_ROWS;
    const chunk = encoders === undefined ? undefined : takeChunk(source, start, copying ? COPY_MAX_ROWS : perStatement, columns, encoders);
    let end: number;
    let result: QueryResult<unknown>;
    if (chunk !== undefined && chunk.end > start) {
      end = chunk.end;
      result = await target.db.executeQuery(
        copying
          ? rawStatement(target.statements.copy(table, columns), [new CopyRows(chunk.parameters, columns.length)])
          : rawStatement(target.statements.sql(table, columns, end - start), chunk.parameters),
      );
    } else {
      end = chunkEnd(source, start, perStatement, columns);
      result = await target.db.insertInto(table).values(source.slice(start, end)).executeTakeFirst().then(toQueryResult);
    }
    inserted += Number(result.numAffectedRows ?? BigInt(end - start));
    statements++;
    start = end;
  }
  return { inserted, statements };
}

/**
 * `CompiledQuery.raw()` without its `Object.freeze` of the parameters: the drivers' loops over
 * parameter arrays would then see frozen and ordinary arrays (Kysely's compiler does not
 * freeze them) and slow down for every statement, about 6× on a 10,000-value chunk.
 */
function rawStatement(sql: string, parameters: unknown[]): CompiledQuery {
  return { sql, parameters, query: RawNode.createWithSql(sql), queryId: createQueryId() };
}

/** `rows[index]`, which must be an object. */
function rowAt(rows: readonly Record<string, unknown>[], index: number): Record<string, unknown> {
  const row = rows[index];
  if (row === null || typeof row !== "object") throw new ConfigurationError("insertMany rows must be objects");
  return row;
}

function toQueryResult(result: { numInsertedOrUpdatedRows?: bigint }): QueryResult<unknown> {
  return { rows: [], numAffectedRows: result.numInsertedOrUpdatedRows };
}

/**
 * The parameters of up to `limit` rows from `start` that have exactly `columns` (in order;
 * consecutive rows with the same columns share a statement) and only plain values; `end`
 * is the first row not taken, and equals `start` when the first row has a value Kysely
 * must build (an expression, `undefined` for a default).
 */
function takeChunk(
  rows: readonly Record<string, unknown>[],
  start: number,
  limit: number,
  columns: readonly string[],
  encoders: readonly ColumnEncoder[],
): { end: number; parameters: unknown[] } {
  const width = columns.length;
  const last = Math.min(rows.length, start + limit);
  const parameters: unknown[] = new Array((last - start) * width);
  const encoding = encoders.length > 0;
  // Per column: its encoder keeps finite numbers, so they skip the call. A loop, not map(): with
  // a closure here the loop below ran slower, on rows without encoders too (measured, ~10 %).
  const numbersAsIs: boolean[] = [];
  for (const encode of encoders) numbersAsIs.push(encode?.finiteNumbersAsIs === true);
  let plain = true;
  let next = 0;
  let index = start;
  rows: for (; index < last; index++) {
    const row = rowAt(rows, index);
    const rowStart = next;
    let column = 0;
    // One pass checks the row's keys and reads its values (for…in lists own keys first, in
    // order; rows are plain objects).
    for (const key in row) {
      const value = row[key];
      if (key !== columns[column] || !isPlainValue(value)) {
        next = rowStart;
        break rows;
      }
      const encode = encoding ? encoders[column] : undefined;
      const parameter = encode === undefined || value === null || (numbersAsIs[column] === true && Number.isFinite(value)) ? value : encode(value);
      if (plain && parameter !== null && typeof parameter !== "number" && typeof parameter !== "string" && typeof parameter !== "bigint") plain = false;
      parameters[next++] = parameter;
      column++;
    }
    if (column !== width) {
      next = rowStart;
      break;
    }
  }
  parameters.length = next;
  if (plain) markPlainParameters(parameters);
  return { end: index, parameters };
}

/** Where the run of rows with exactly `columns` that starts at `start` ends, at most `limit` rows on. */
function chunkEnd(rows: readonly Record<string, unknown>[], start: number, limit: number, columns: readonly string[]): number {
  const last = Math.min(rows.length, start + limit);
  let index = start + 1;
  while (index < last && hasColumns(rowAt(rows, index), columns) && !hasUndefined(rows[index]!)) index++;
  return index;
}

function hasUndefined(row: Record<string, unknown>): boolean {
  for (const key of Object.keys(row)) if (row[key] === undefined) return true;
  return false;
}

/** The row without its `undefined` values (own keys, as Kysely reads a row). */
function withoutUndefined(row: Record<string, unknown>): Record<string, unknown> {
  if (row === null || typeof row !== "object" || !hasUndefined(row)) return row;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(row)) if (row[key] !== undefined) copy[key] = row[key];
  return copy;
}

/** A value that goes into a parameter as it is: not `undefined` (the column's default) and not a Kysely expression. */
function isPlainValue(value: unknown): boolean {
  if (value === undefined || typeof value === "function") return false;
  return value === null || typeof value !== "object" || typeof (value as { toOperationNode?: unknown }).toOperationNode !== "function";
}

function hasColumns(row: Record<string, unknown>, columns: readonly string[]): boolean {
  let index = 0;
  for (const key in row) {
    if (key !== columns[index]) return false;
    index++;
  }
  return index === columns.length;
}
