import { sql, type Kysely, type RawBuilder, type Selectable, type SelectQueryBuilder } from "kysely";
import { SchemaDefinitionError } from "../errors.js";
import type { AnyColumn } from "./column.js";
import type { ColumnRef } from "./column-ref.js";
import { requireSchemaPlugin } from "./require-engine-schema.js";
import { VectorParameter } from "../backends/vector-parameter.js";

/** How `nearest()` measures distance: cosine distance (1 − cosine similarity) or Euclidean (L2). */
export type VectorMetric = "cosine" | "l2";

/**
 * The distance between a vector column and a query vector, as an expression for
 * `select`, `where` and `orderBy`. pgvector operators on PostgreSQL with the extension,
 * SQL functions over `real[]` without it, JS functions on SQLite — same values everywhere.
 * Needs an engine created with the `schema` option.
 *
 * @example
 * ```ts
 * db.selectFrom("conversation_memory").select(["id", vectorDistance(conversationMemory.embedding, query).as("distance")])
 * ```
 */
export function vectorDistance(column: ColumnRef<string, string, AnyColumn>, query: readonly number[], metric: VectorMetric = "cosine"): RawBuilder<number> {
  const type = column.definition.type;
  if (type.kind !== "vector") throw new SchemaDefinitionError(`${column.table}.${column.name} is not a vector column`);
  if (query.length !== type.dimensions) throw new RangeError(`${column.table}.${column.name} has ${type.dimensions} dimensions, the query vector ${query.length}`);
  const fn = metric === "cosine" ? "athanor_cosine_distance" : "athanor_l2_distance";
  return sql<number>`${sql.raw(fn)}(${sql.id(column.table, column.name)}, ${new VectorParameter(query)})`;
}

/** Options of {@link nearest}. */
export interface NearestOptions<C extends string = string> {
  /** Default `"cosine"`. */
  readonly metric?: VectorMetric;
  /** How many rows (k). */
  readonly limit: number;
  /**
   * The columns to return (with `distance`); default every column. Leave the vector out of a
   * result that does not need it: a `vector(1536)` is 1,536 numbers per row.
   */
  readonly select?: readonly C[];
}

/**
 * The database type of a Kysely handle: `engine.db`, a transaction, or a `Session`. Read from
 * `withoutPlugins()`, which every one of them returns as a plain `Kysely<DB>`: inferring `DB`
 * from `Kysely<DB>` itself fails for a `Session` (a subclass), which TypeScript matches member
 * by member, and yields a mangled database type.
 */
type DatabaseOf<K> = K extends { withoutPlugins(): Kysely<infer DB> } ? DB : never;

/** A row of `nearest()`: the selected columns (every column when none are named) and `distance`. */
export type NearestRow<Row, C extends string> = ([C] extends [never] ? Row : Pick<Row, C & keyof Row>) & { distance: number };

/**
 * The k rows nearest to a query vector, nearest first, with their `distance`; rows whose
 * vector is NULL are left out, ties are broken by primary key so the ranking is the same
 * on every dialect. Returns the query builder, so more conditions can be added. `db` (the
 * engine's, a transaction or a session) must come from an engine created with the schema
 * (else a `ConfigurationError`). `select` names the columns to return (default all).
 *
 * @example
 * ```ts
 * const memories = await nearest(db, conversationMemory.embedding, queryEmbedding, { limit: 5, select: ["id", "content"] })
 *   .where("conversationId", "=", conversationId)
 *   .execute(); // [{ id, content, distance }]
 * ```
 */
export function nearest<K extends Kysely<any>, T extends keyof DatabaseOf<K> & string, C extends keyof Selectable<DatabaseOf<K>[T]> & string = never>(
  db: K,
  column: ColumnRef<T, string, AnyColumn>,
  query: readonly number[],
  options: NearestOptions<C>,
): SelectQueryBuilder<DatabaseOf<K>, T, NearestRow<Selectable<DatabaseOf<K>[T]>, C>> {
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError(`nearest() limit must be a positive integer, got ${options.limit}`);
  requireSchemaPlugin(db, column.table, "nearest()");
  const distance = vectorDistance(column, query, options.metric ?? "cosine");
  const untyped = db as unknown as Kysely<any>;
  const selected = options.select;
  if (selected !== undefined) {
    const columns = new Set(column.tableDefinition.columns.map((definition) => definition.name));
    if (selected.length === 0) throw new RangeError("nearest() select must name at least one column (leave it out for every column)");
    const unknown = selected.filter((name) => typeof name !== "string" || !columns.has(name));
    if (unknown.length > 0) throw new SchemaDefinitionError(`nearest() select: ${column.table} has no column ${unknown.map((name) => `"${String(name)}"`).join(", ")}`);
  }
  const from: SelectQueryBuilder<any, string, any> = untyped.selectFrom(column.table);
  let builder = (selected === undefined ? from.selectAll() : from.select(selected.map((name) => sql.ref(`${column.table}.${name}`).as(name))))
    .select(distance.as("distance"))
    .where(sql.id(column.table, column.name), "is not", null)
    .orderBy("distance");
  for (const key of column.tableDefinition.primaryKey?.columns ?? []) builder = builder.orderBy(sql.id(column.table, key));
  return builder.limit(options.limit) as never;
}
