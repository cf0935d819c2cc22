import { fitIdentifier } from "./fit-identifier.js";
import type { PortableType } from "../schema/portable-type.js";
import type { ColumnModel, DefaultModel, ForeignKeyModel } from "../schema/schema-model.js";

/** What `alterColumn` changes: only the fields given. `default: null` drops the default. */
export interface ColumnChanges {
  readonly type?: PortableType;
  readonly nullable?: boolean;
  readonly default?: DefaultModel | null;
}

/**
 * A change to one existing table whose SQL differs per database: each backend's
 * {@link SchemaEditor} renders it natively or asks for a table rebuild. `column`,
 * `previous` and `foreignKey` on the drop/alter forms are what the inverse needs; they are
 * optional because a hand-written revision does not have to say them.
 */
export type TableChange =
  | { readonly kind: "addColumn"; readonly table: string; readonly column: ColumnModel }
  | { readonly kind: "dropColumn"; readonly table: string; readonly name: string; readonly column?: ColumnModel | undefined }
  | { readonly kind: "alterColumn"; readonly table: string; readonly name: string; readonly changes: ColumnChanges; readonly previous?: ColumnChanges | undefined }
  | { readonly kind: "addForeignKey"; readonly table: string; readonly foreignKey: ForeignKeyModel }
  | { readonly kind: "dropForeignKey"; readonly table: string; readonly columns: readonly string[]; readonly foreignKey?: ForeignKeyModel | undefined }
  | { readonly kind: "addUnique"; readonly table: string; readonly columns: readonly string[] }
  | { readonly kind: "dropUnique"; readonly table: string; readonly columns: readonly string[] };

/**
 * Constraint names Athanor gives (PostgreSQL's own convention): `<table>_<columns>_key|fkey`,
 * `<table>_pkey`, shortened with a hash when longer than 63 bytes (see {@link fitIdentifier}).
 */
export const constraintName = (table: string, columns: readonly string[], suffix: "key" | "fkey" | "pkey"): string =>
  fitIdentifier(suffix === "pkey" ? table : `${table}_${columns.join("_")}`, suffix);
