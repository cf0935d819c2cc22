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
export interface NearestOptions {
  /** Default `"cosine"`. */
  readonly metric?: VectorMetric;
  /** How many rows (k). */
  readonly limit: number;
}

/**
 * The database type of a Kysely handle: `engine.db`, a transaction, or a `Session`. Read from
 * `withoutPlugins()`, which every one of them returns as a plain `Kysely<DB>`: inferring `DB`
 * from `Kysely<DB>` itself fails for a `Session` (a subclass), which TypeScript matches member
 * by member, and yields a mangled database type.
 */
type DatabaseOf<K> = K extends { withoutPlugins(): Kysely<infer DB> } ? DB : never;

/**
 * The k rows nearest to a query vector, nearest first, with their `distance`; rows whose
 * vector is NULL are left out, ties are broken by primary key so the ranking is the same
 * on every dialect. Returns the query builder, so more conditions can be added. `db` (the
 * engine's, a transaction or a session) must come from an engine created with the schema
 * (else a `ConfigurationError`).
 *
 * @example
 * ```ts
 * const memories = await nearest(db, conversationMemory.embedding, queryEmbedding, { limit: 5 })
 *   .where("conversationId", "=", conversationId)
 *   .execute(); // [{ id, content, …, distance }]
 * ```
 */
export function nearest<K extends Kysely<any>, T extends keyof DatabaseOf<K> & string>(
  db: K,
  column: ColumnRef<T, string, AnyColumn>,
  query: readonly number[],
  options: NearestOptions,
): SelectQueryBuilder<DatabaseOf<K>, T, Selectable<DatabaseOf<K>[T]> & { distance: number }> {
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError(`nearest() limit must be a positive integer, got ${options.limit}`);
  requireSchemaPlugin(db, column.table, "nearest()");
  const distance = vectorDistance(column, query, options.metric ?? "cosine");
  const untyped = db as unknown as Kysely<any>;
  let builder = untyped
    .selectFrom(column.table)
    .selectAll()
    .select(distance.as("distance"))
    .where(sql.id(column.table, column.name), "is not", null)
    .orderBy("distance");
  for (const key of column.tableDefinition.primaryKey?.columns ?? []) builder = builder.orderBy(sql.id(column.table, key));
  return builder.limit(options.limit) as never;
}
