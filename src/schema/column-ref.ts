import type { AnyColumn, ColumnDefinition } from "./column.js";
import type { TableDefinition } from "./table-definition.js";

/**
 * A column as seen from its table: `users.id`. Used by `references(() => users.id)`,
 * indexes and constraints in a table's extras, and the vector helpers.
 */
export interface ColumnRef<TTable extends string = string, TName extends string = string, TColumn extends AnyColumn = AnyColumn> {
  readonly table: TTable;
  readonly name: TName;
  readonly column: TColumn;
  readonly definition: ColumnDefinition;
  /** The whole table's definition (set once the table is declared). */
  readonly tableDefinition: TableDefinition;
}

/**
 * Any column reference. Annotate self-references with it, which TypeScript cannot infer:
 *
 * @example
 * ```ts
 * const messages = table("messages", {
 *   id: uuid().primaryKey().defaultRandom(),
 *   parentId: uuid().references((): AnyColumnRef => messages.id),
 * });
 * ```
 */
export type AnyColumnRef = ColumnRef<string, string, AnyColumn>;
