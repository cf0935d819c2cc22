import type { ColumnDefinition, CheckDefinition } from "./column.js";
import type { IndexModel, ReferentialAction } from "./schema-model.js";

/** A foreign key of a {@link TableDefinition}; the target resolves lazily (tables may be declared in any order). */
export interface ForeignKeyDefinition {
  readonly name: string;
  readonly columns: readonly string[];
  readonly target: () => { readonly table: string; readonly columns: readonly string[] };
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

/** Everything the schema knows about one table at run time (columns in declaration order). */
export interface TableDefinition {
  readonly name: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly definition: ColumnDefinition }>;
  readonly primaryKey: { readonly name: string; readonly columns: readonly string[] } | undefined;
  readonly uniques: ReadonlyArray<{ readonly name: string; readonly columns: readonly string[] }>;
  readonly foreignKeys: readonly ForeignKeyDefinition[];
  readonly indexes: readonly IndexModel[];
  readonly checks: ReadonlyArray<CheckDefinition & { readonly name: string }>;
}
