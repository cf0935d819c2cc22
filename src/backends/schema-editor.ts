import type { Kysely } from "kysely";
import type { TableChange } from "./table-change.js";
import type { CatalogTable, DdlContext, TypeMapping } from "./type-mapping.js";

/** How a rebuilt table's columns are filled: `column` of the new table from `from` of the old. */
export interface ColumnCopy {
  readonly column: string;
  readonly from: string;
}

/**
 * The per-database half of the portable migration operations (`op.addColumn`,
 * `op.alterColumn`, …): which changes the database does natively and their SQL, and how a
 * table is rebuilt when it cannot (SQLite's "batch mode"). One implementation per backend.
 *
 * @example
 * ```ts
 * const editor = schemaEditorFor("sqlite");
 * editor.alterSql({ kind: "alterColumn", table: "agents", name: "name", changes: { nullable: false } }, undefined, mapping, context); // undefined: rebuild
 * ```
 */
export interface SchemaEditor {
  /**
   * Runs one revision in a transaction, with what the database needs around it (SQLite:
   * foreign keys switched to a check before commit, so tables can be rebuilt).
   */
  transaction<T>(db: Kysely<any>, work: (trx: Kysely<any>) => Promise<T>): Promise<T>;
  /** True when {@link alterSql} must see the live table to decide (SQLite DROP COLUMN: is the column indexed or constrained?). */
  needsLiveTable(change: TableChange): boolean;
  /** The statements doing `change` natively, or `undefined` when the table must be rebuilt. */
  alterSql(change: TableChange, live: CatalogTable | undefined, mapping: TypeMapping, context: DdlContext): string[] | undefined;
  /**
   * Replaces `live` by `desired` keeping its rows (copied as `copy` says), indexes
   * recreated. Runs inside the revision's transaction.
   */
  rebuildTable(db: Kysely<any>, live: CatalogTable, desired: CatalogTable, copy: readonly ColumnCopy[]): Promise<void>;
}
