import type { Schema } from "./define-schema.js";
import { declaredDefault } from "./schema-model-values.js";
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "./schema-model.js";
import type { TableDefinition } from "./table-definition.js";

/**
 * The database-level model of a declared schema: what `introspectSchema` reads back after
 * `initializeDatabase`. Pure.
 *
 * @example
 * ```ts
 * const model = toSchemaModel(schema);
 * model.tables.map((table) => table.name); // sorted table names
 * ```
 */
export function toSchemaModel(schema: Schema): SchemaModel {
  return sortModel({ tables: schema.definitions.map(tableModel) });
}

function tableModel(table: TableDefinition): TableModel {
  const primaryKey = table.primaryKey?.columns ?? [];
  return {
    name: table.name,
    columns: table.columns.map(
      ({ name, definition }): ColumnModel => ({
        name,
        type: definition.type,
        nullable: !definition.notNull && !primaryKey.includes(name),
        default: definition.default === undefined ? undefined : declaredDefault(definition.type, definition.default),
        identity: definition.identity,
      }),
    ),
    primaryKey,
    uniques: table.uniques.map((unique) => unique.columns),
    foreignKeys: table.foreignKeys.map((foreignKey): ForeignKeyModel => {
      const target = foreignKey.target();
      return { columns: foreignKey.columns, referencedTable: target.table, referencedColumns: target.columns, onDelete: foreignKey.onDelete, onUpdate: foreignKey.onUpdate };
    }),
    indexes: table.indexes,
    checks: table.checks.map((check) => check.name),
  };
}

/** Puts a model in canonical order (tables, uniques, foreign keys, indexes, checks sorted) with plain arrays. */
export function sortModel(model: SchemaModel): SchemaModel {
  const key = (columns: readonly string[]) => columns.join("\u0000");
  return {
    tables: [...model.tables]
      .map((table) => ({
        name: table.name,
        columns: table.columns.map((column) => ({ ...column, type: { ...column.type } })),
        primaryKey: [...table.primaryKey],
        uniques: table.uniques.map((columns) => [...columns]).sort((a, b) => key(a).localeCompare(key(b))),
        foreignKeys: table.foreignKeys
          .map((foreignKey) => ({ ...foreignKey, columns: [...foreignKey.columns], referencedColumns: [...foreignKey.referencedColumns] }))
          .sort((a, b) => `${key(a.columns)}\u0001${a.referencedTable}`.localeCompare(`${key(b.columns)}\u0001${b.referencedTable}`)),
        indexes: table.indexes.map((index) => ({ ...index, columns: [...index.columns] })).sort((a, b) => a.name.localeCompare(b.name)),
        checks: [...table.checks].sort(),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
