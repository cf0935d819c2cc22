import { quoteIdentifier as q } from "../quote-identifier.js";
import { constraintName } from "../table-change.js";
import type { CatalogTable } from "../type-mapping.js";

/**
 * `CREATE TABLE` for a catalog table (the definition a rebuild creates). Constraints are
 * named after `logicalName`, the name the table ends up with.
 */
export function sqliteTableSql(table: CatalogTable, logicalName: string = table.name): string {
  const identity = table.columns.find((column) => column.identity);
  const lines = table.columns.map((column) => {
    let text = `${q(column.name)} ${column.sqlType}`;
    if (column === identity) text += " primary key autoincrement";
    if (column.notNull && column !== identity) text += " not null";
    if (column.defaultSql !== undefined) text += ` default ${defaultClause(column.defaultSql)}`;
    return text;
  });
  const list = (columns: readonly string[]) => columns.map(q).join(", ");
  if (table.primaryKey.length > 0 && identity === undefined) lines.push(`constraint ${q(constraintName(logicalName, [], "pkey"))} primary key (${list(table.primaryKey)})`);
  for (const columns of table.uniques) lines.push(`constraint ${q(constraintName(logicalName, columns, "key"))} unique (${list(columns)})`);
  for (const fk of table.foreignKeys) {
    lines.push(
      `constraint ${q(constraintName(logicalName, fk.columns, "fkey"))} foreign key (${list(fk.columns)}) references ${q(fk.referencedTable)} (${list(fk.referencedColumns)}) ` +
        `on delete ${fk.onDelete} on update ${fk.onUpdate}`,
    );
  }
  for (const check of table.checks) lines.push(`constraint ${q(check.name)} check (${check.sql})`);
  return `create table ${q(table.name)} (\n  ${lines.join(",\n  ")}\n)`;
}

// The catalog gives an expression default without the parentheses CREATE TABLE needs.
function defaultClause(defaultSql: string): string {
  const literal = /^([-+]?\d+(\.\d+)?(e[-+]?\d+)?|'(?:[^']|'')*'|null|true|false|current_(time|date|timestamp)|x'[0-9a-f]*')$/i;
  return literal.test(defaultSql.trim()) ? defaultSql : `(${defaultSql})`;
}
