import type { ColumnType } from "kysely";
import type { AnyColumn, ColumnState } from "./column.js";
import type { Schema } from "./define-schema.js";
import type { AnyTable, ColumnMap } from "./table.js";

type Nullable<S extends ColumnState, T> = S["notNull"] extends true ? T : T | null;

/**
 * The Kysely column type of a declared column: `T | null` unless NOT NULL, optional on
 * insert when it has a default or is nullable.
 */
export type InferColumn<C extends AnyColumn> = C["$state"] extends infer S extends ColumnState
  ? ColumnType<Nullable<S, S["select"]>, Nullable<S, S["insert"]> | (S["hasDefault"] extends true ? undefined : never), Nullable<S, S["insert"]>>
  : never;

/** The Kysely row interface of one declared table. */
export type InferTable<T extends AnyTable> = T["$columns"] extends infer C extends ColumnMap ? { [K in keyof C]: InferColumn<C[K]> } : never;

/**
 * The Kysely database interface of a schema, keyed by table name.
 *
 * @example
 * ```ts
 * export const schema = defineSchema({ users, agents });
 * export type DB = InferDatabase<typeof schema>;
 * const engine = createEngine<DB>(url, { schema });
 * ```
 */
export type InferDatabase<S extends Schema<any>> = S extends Schema<infer T>
  ? { [K in keyof T as T[K]["$name"]]: InferTable<T[K]> }
  : never;
