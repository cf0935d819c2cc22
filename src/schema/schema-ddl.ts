import { sql, type CreateIndexBuilder, type CreateTableBuilder, type Kysely, type RawBuilder } from "kysely";
import type { DdlContext, TypeMapping } from "../backends/type-mapping.js";
import { fitIdentifier } from "../backends/fit-identifier.js";
import { quoteIdentifier } from "../backends/quote-identifier.js";
import type { TableDefinition } from "./table-definition.js";
import type { IndexModel } from "./schema-model.js";
import { SchemaDefinitionError } from "../errors.js";

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

/**
 * `CREATE [UNIQUE] INDEX IF NOT EXISTS` for each declared index of a table that this
 * database can have (see {@link TypeMapping.createsIndex}).
 */
export function createIndexQueries(db: Kysely<any>, table: TableDefinition, mapping: TypeMapping, context: DdlContext): Array<{ execute(): Promise<unknown> }> {
  const types = new Map(table.columns.map((column) => [column.name, column.definition.type]));
  return table.indexes
    .filter((index) => mapping.createsIndex(index, index.columns.map((column) => types.get(column)), context))
    .map((index) => createIndexStatement(db, table.name, index, true));
}

/**
 * One `CREATE INDEX`: Kysely's builder for a plain index, and for one with options
 * `… USING method ("column" operator_class, …) WITH (name = value, …)`, which Kysely's
 * builder does not say.
 */
export function createIndexStatement(db: Kysely<any>, table: string, index: IndexModel, ifNotExists: boolean): { execute(): Promise<unknown> } {
  if (index.method === undefined && index.operatorClass === undefined && index.with === undefined) {
    let builder: CreateIndexBuilder = db.schema.createIndex(index.name).on(table).expression(indexColumns(index.columns));
    if (ifNotExists) builder = builder.ifNotExists();
    return index.unique ? builder.unique() : builder;
  }
  const operatorClass = index.operatorClass === undefined ? sql`` : sql` ${sql.raw(checkWord(index.operatorClass, "operatorClass"))}`;
  const columns = sql.join(index.columns.map((column) => sql`${sql.id(column)}${operatorClass}`));
  const method = index.method === undefined ? sql`` : sql` using ${sql.raw(checkWord(index.method, "method"))}`;
  const parameters = Object.entries(index.with ?? {});
  const storage = parameters.length === 0 ? sql`` : sql` with (${sql.join(parameters.map(([name, value]) => sql.raw(`${checkWord(name, "with")} = ${checkNumber(value, name)}`)))})`;
  const statement = sql`create ${sql.raw(index.unique ? "unique " : "")}index ${sql.raw(ifNotExists ? "if not exists " : "")}${sql.id(index.name)} on ${sql.id(table)}${method} (${columns})${storage}`;
  return { execute: () => statement.execute(db) };
}

// Method, operator class and parameter names go into the SQL as they are: words only.
function checkWord(word: string, option: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(word)) throw new SchemaDefinitionError(`index ${option}: "${word}" is not a plain SQL name`);
  return word;
}

function checkNumber(value: number, name: string): string {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new SchemaDefinitionError(`index with.${name}: ${String(value)} is not a finite number`);
  return String(value);
}

/**
 * An index's column list, each name quoted as it is. (Kysely's `columns()` reads `"a desc"`
 * as column `a` descending and throws on other names with a space; column names are data.)
 */
export function indexColumns(columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(columns.map((column) => sql.id(column)));
}
