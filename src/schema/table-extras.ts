import type { RawBuilder } from "kysely";
import { SchemaDefinitionError } from "../errors.js";
import type { AnyColumnRef } from "./column-ref.js";

/** An index, unique constraint, composite primary key or check declared in a table's extras. */
export type TableExtra =
  | { readonly kind: "index"; readonly name: string; readonly columns: readonly AnyColumnRef[]; readonly unique: boolean }
  | { readonly kind: "unique"; readonly name: string | undefined; readonly columns: readonly AnyColumnRef[] }
  | { readonly kind: "primaryKey"; readonly columns: readonly AnyColumnRef[] }
  | { readonly kind: "check"; readonly name: string; readonly expression: RawBuilder<unknown> | string };

/** Builder returned by {@link index} and {@link uniqueIndex}. */
export interface IndexBuilder {
  on(...columns: [AnyColumnRef, ...AnyColumnRef[]]): TableExtra;
}

/**
 * A (multi-column) index, created with the table.
 *
 * @example
 * ```ts
 * table("agents", { … }, (t) => [index("ix_agents_owner_id").on(t.ownerId)]);
 * ```
 */
export function index(name: string): IndexBuilder {
  return { on: (...columns) => ({ kind: "index", name, columns, unique: false }) };
}

/** A unique index (see {@link index}). */
export function uniqueIndex(name: string): IndexBuilder {
  return { on: (...columns) => ({ kind: "index", name, columns, unique: true }) };
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
