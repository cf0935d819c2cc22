import type { RawBuilder } from "kysely";
import { SchemaDefinitionError } from "../errors.js";
import type { AnyColumnRef } from "./column-ref.js";
import type { IndexOptions } from "./schema-model.js";

/** An index, unique constraint, composite primary key or check declared in a table's extras. */
export type TableExtra =
  | { readonly kind: "index"; readonly name: string; readonly columns: readonly AnyColumnRef[]; readonly unique: boolean; readonly options?: IndexOptions }
  | { readonly kind: "unique"; readonly name: string | undefined; readonly columns: readonly AnyColumnRef[] }
  | { readonly kind: "primaryKey"; readonly columns: readonly AnyColumnRef[] }
  | { readonly kind: "check"; readonly name: string; readonly expression: RawBuilder<unknown> | string };

/** Builder returned by {@link index} and {@link uniqueIndex}. */
export interface IndexBuilder {
  on(...columns: [AnyColumnRef, ...AnyColumnRef[]]): TableExtra;
}

/**
 * A (multi-column) index, created with the table; `options` choose a PostgreSQL access
 * method, operator class and storage parameters (see {@link IndexOptions}).
 *
 * @example
 * ```ts
 * table("agents", { … }, (t) => [index("ix_agents_owner_id").on(t.ownerId)]);
 * table("memories", { … }, (t) => [index("ix_memories_embedding", { method: "hnsw", operatorClass: "vector_cosine_ops" }).on(t.embedding)]);
 * ```
 */
export function index(name: string, options?: IndexOptions): IndexBuilder {
  return { on: (...columns) => ({ kind: "index", name, columns, unique: false, ...indexOptions(options) }) };
}

/** A unique index (see {@link index}). */
export function uniqueIndex(name: string, options?: IndexOptions): IndexBuilder {
  return { on: (...columns) => ({ kind: "index", name, columns, unique: true, ...indexOptions(options) }) };
}

function indexOptions(options: IndexOptions | undefined): { options?: IndexOptions } {
  if (options === undefined) return {};
  for (const key of Object.keys(options)) {
    if (key !== "method" && key !== "operatorClass" && key !== "with") throw new SchemaDefinitionError(`index options: unknown option "${key}" (method, operatorClass, with)`);
  }
  return { options };
}

/**
 * A UNIQUE constraint over several columns (named `<table>_<columns>_key` unless named).
 *
 * @example
 * ```ts
 * (t) => [unique().on(t.conversationId, t.personaId, t.moduleId, t.stateKey)]
 * ```
 */
export function unique(name?: string): IndexBuilder {
  return { on: (...columns) => ({ kind: "unique", name, columns }) };
}

/**
 * A composite primary key. Its columns must be declared `notNull()`.
 *
 * @example
 * ```ts
 * table("squad_members", { squadId: uuid().notNull(), userId: uuid().notNull() }, (t) => [primaryKey(t.squadId, t.userId)]);
 * ```
 */
export function primaryKey(...columns: [AnyColumnRef, ...AnyColumnRef[]]): TableExtra {
  return { kind: "primaryKey", columns };
}

/**
 * A named table CHECK constraint. Write the expression in SQL both dialects understand.
 *
 * @example
 * ```ts
 * (t) => [check("memories_importance_range", sql`importance between 0 and 1`)]
 * ```
 */
export function check(name: string, expression: RawBuilder<unknown> | string): TableExtra {
  if (name.length === 0) throw new SchemaDefinitionError("check() needs a name");
  return { kind: "check", name, expression };
}
