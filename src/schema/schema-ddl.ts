import { sql, type CreateIndexBuilder, type CreateTableBuilder, type Kysely, type RawBuilder } from "kysely";
import type { DdlContext, TypeMapping } from "../backends/type-mapping.js";
import { fitIdentifier } from "../backends/fit-identifier.js";
import { quoteIdentifier } from "../backends/quote-identifier.js";
import type { TableDefinition } from "./table-definition.js";

/** Name of the CHECK constraint that holds an enum column's values (shortened beyond 63 bytes, see `fitIdentifier`). */
export const enumCheckName = (table: string, column: string) => fitIdentifier(`${table}_${column}`, "enum");
/** Name of the CHECK constraint that holds a vector column's dimensions (where the storage does not). */
export const dimensionCheckName = (table: string, column: string) => fitIdentifier(`${table}_${column}`, "dims");

/**
 * `CREATE TABLE IF NOT EXISTS` for one table through Kysely's schema builder, with the
 * backend's SQL types: columns, defaults, primary key, uniques, foreign keys, checks.
 */
export function createTableQuery(db: Kysely<any>, table: TableDefinition, mapping: TypeMapping, context: DdlContext): CreateTableBuilder<string, string> {
  let builder = db.schema.createTable(table.name).ifNotExists();
  let identityPk = false;
  for (const { name, definition } of table.columns) {
    builder = builder.addColumn(name, sql.raw(mapping.columnType(definition.type, context)), (column) => {
      if (definition.notNull && !(definition.identity && mapping.identityDeclaresPrimaryKey)) column = column.notNull();
      if (definition.identity) {
        column = mapping.identity(column);
        identityPk = mapping.identityDeclaresPrimaryKey;
      }
      if (definition.default !== undefined) column = column.defaultTo(sql.raw(mapping.defaultSql(definition.type, definition.default)));
      return column;
    });
  }
  if (table.primaryKey !== undefined && !identityPk) builder = builder.addPrimaryKeyConstraint(table.primaryKey.name, [...table.primaryKey.columns] as never);
  for (const unique of table.uniques) builder = builder.addUniqueConstraint(unique.name, [...unique.columns] as never);
  for (const foreignKey of table.foreignKeys) {
    const target = foreignKey.target();
    builder = builder.addForeignKeyConstraint(foreignKey.name, [...foreignKey.columns] as never, target.table, [...target.columns], (constraint) =>
      constraint.onDelete(foreignKey.onDelete).onUpdate(foreignKey.onUpdate),
    );
  }
  for (const { name, definition } of table.columns) {
    const type = definition.type;
    if (type.kind === "enum") {
      builder = builder.addCheckConstraint(enumCheckName(table.name, name), sql`${sql.id(name)} in (${sql.join(type.values.map((value) => sql.lit(value)))})`);
    } else if (type.kind === "vector") {
      const check = mapping.vectorCheck(quoteIdentifier(name), type.dimensions, context);
      if (check !== undefined) builder = builder.addCheckConstraint(dimensionCheckName(table.name, name), sql.raw(check));
    }
  }
  for (const check of table.checks) {
    builder = builder.addCheckConstraint(check.name, typeof check.expression === "string" ? sql.raw(check.expression) : check.expression);
  }
  return builder;
}

/** `CREATE [UNIQUE] INDEX IF NOT EXISTS` for each declared index of a table. */
export function createIndexQueries(db: Kysely<any>, table: TableDefinition): CreateIndexBuilder[] {
  return table.indexes.map((index) => {
    const builder = db.schema.createIndex(index.name).ifNotExists().on(table.name).expression(indexColumns(index.columns));
    return index.unique ? builder.unique() : builder;
  });
}

/**
 * An index's column list, each name quoted as it is. (Kysely's `columns()` reads `"a desc"`
 * as column `a` descending and throws on other names with a space; column names are data.)
 */
export function indexColumns(columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(columns.map((column) => sql.id(column)));
}
