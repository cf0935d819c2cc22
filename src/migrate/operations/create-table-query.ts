import { sql, type CreateTableBuilder, type Kysely } from "kysely";
import { columnChecks } from "../../backends/column-checks.js";
import { constraintName } from "../../backends/table-change.js";
import type { DdlContext, TypeMapping } from "../../backends/type-mapping.js";
import type { TableSpec } from "./operation.js";

/** `CREATE TABLE` for a {@link TableSpec} through Kysely's schema builder, with the backend's SQL types. */
export function createTableQuery(db: Kysely<any>, table: TableSpec, mapping: TypeMapping, context: DdlContext): CreateTableBuilder<string, string> {
  let builder = db.schema.createTable(table.name);
  let identityPk = false;
  for (const column of table.columns) {
    builder = builder.addColumn(column.name, sql.raw(mapping.columnType(column.type, context)), (definition) => {
      if (!column.nullable && !(column.identity && mapping.identityDeclaresPrimaryKey)) definition = definition.notNull();
      if (column.identity) {
        definition = mapping.identity(definition);
        identityPk = mapping.identityDeclaresPrimaryKey;
      }
      if (column.default !== undefined) definition = definition.defaultTo(sql.raw(mapping.defaultSql(column.type, column.default)));
      return definition;
    });
  }
  if (table.primaryKey.length > 0 && !identityPk) builder = builder.addPrimaryKeyConstraint(constraintName(table.name, [], "pkey"), [...table.primaryKey] as never);
  for (const columns of table.uniques) builder = builder.addUniqueConstraint(constraintName(table.name, columns, "key"), [...columns] as never);
  for (const fk of table.foreignKeys) {
    builder = builder.addForeignKeyConstraint(constraintName(table.name, fk.columns, "fkey"), [...fk.columns] as never, fk.referencedTable, [...fk.referencedColumns], (constraint) =>
      constraint.onDelete(fk.onDelete).onUpdate(fk.onUpdate),
    );
  }
  const checks = [...table.columns.flatMap((column) => columnChecks(table.name, column, mapping, context)), ...table.checks];
  for (const check of checks) builder = builder.addCheckConstraint(check.name, sql.raw(check.sql));
  return builder;
}
