import type { TableChange } from "../../backends/table-change.js";
import type { IndexModel, TableModel } from "../../schema/schema-model.js";

export type { ColumnChanges, TableChange } from "../../backends/table-change.js";

/** A named CHECK constraint with its SQL expression. */
export interface CheckSpec {
  readonly name: string;
  readonly sql: string;
}

/** A whole table as `op.createTable` creates it: the schema model, with each check's SQL. */
export interface TableSpec extends Omit<TableModel, "checks"> {
  readonly checks: readonly CheckSpec[];
}

/**
 * One schema change as plain data: what `diffSchemas` produces, what the `op.*` methods
 * apply, what `invertOperation` turns around and what autogenerate renders into a revision.
 * Drop and alter forms optionally carry what was there before, so they can be inverted.
 *
 * @example
 * ```ts
 * const add: Operation = { kind: "addColumn", table: "agents", column: { name: "schedule", type: { kind: "text" }, nullable: true, default: undefined, identity: false } };
 * await op.apply(add);
 * ```
 */
export type Operation =
  | { readonly kind: "createTable"; readonly table: TableSpec }
  | { readonly kind: "dropTable"; readonly name: string; readonly table?: TableSpec | undefined }
  | { readonly kind: "renameTable"; readonly from: string; readonly to: string }
  | { readonly kind: "renameColumn"; readonly table: string; readonly from: string; readonly to: string }
  | { readonly kind: "createIndex"; readonly table: string; readonly index: IndexModel }
  | { readonly kind: "dropIndex"; readonly table: string; readonly name: string; readonly index?: IndexModel | undefined }
  | { readonly kind: "execute"; readonly sql: string; readonly reverseSql?: string | undefined }
  | { readonly kind: "bulkInsert"; readonly table: string; readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>> }
  | TableChange;

/** The `kind` of an {@link Operation}. */
export type OperationKind = Operation["kind"];
