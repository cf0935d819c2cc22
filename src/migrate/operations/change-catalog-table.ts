import { columnChecks, typeCheckNames } from "../../backends/column-checks.js";
import type { ColumnCopy } from "../../backends/schema-editor.js";
import type { TableChange } from "../../backends/table-change.js";
import type { CatalogTable, DdlContext, TypeMapping } from "../../backends/type-mapping.js";
import { NotSupportedError } from "../../errors.js";

/** What a table rebuild creates, and how the new table's columns are filled from the old. */
export interface RebuiltTable {
  readonly table: CatalogTable;
  readonly copy: readonly ColumnCopy[];
}

/**
 * The definition a table has after `change`, from its live catalog definition (for table
 * rebuilds). Like PostgreSQL, dropping a column also drops the keys, indexes and checks
 * that use it. Pure.
 */
export function changeCatalogTable(live: CatalogTable, change: TableChange, mapping: TypeMapping, context: DdlContext): RebuiltTable {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((column, i) => column === b[i]);
  const keep = (table: CatalogTable): RebuiltTable => ({ table, copy: live.columns.filter((c) => table.columns.some((n) => n.name === c.name)).map((c) => ({ column: c.name, from: c.name })) });
  const column = (name: string) => {
    const found = live.columns.find((c) => c.name === name);
    if (found === undefined) throw new NotSupportedError(`table "${live.name}" has no column "${name}"`);
    return found;
  };
  switch (change.kind) {
    case "addColumn": {
      const added = change.column;
      return keep({
        ...live,
        columns: [
          ...live.columns,
          {
            name: added.name,
            sqlType: mapping.columnType(added.type, context),
            notNull: !added.nullable,
            defaultSql: added.default === undefined ? undefined : mapping.defaultSql(added.type, added.default),
            identity: added.identity,
          },
        ],
        checks: [...live.checks, ...columnChecks(live.name, added, mapping, context)],
      });
    }
    case "dropColumn": {
      column(change.name);
      const uses = (columns: readonly string[]) => columns.includes(change.name);
      const word = new RegExp(`(^|[^A-Za-z0-9_])${change.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^A-Za-z0-9_]|$)`);
      return keep({
        ...live,
        columns: live.columns.filter((c) => c.name !== change.name),
        primaryKey: uses(live.primaryKey) ? [] : live.primaryKey,
        uniques: live.uniques.filter((columns) => !uses(columns)),
        foreignKeys: live.foreignKeys.filter((fk) => !uses(fk.columns)),
        indexes: live.indexes.filter((index) => !uses(index.columns)),
        checks: live.checks.filter((check) => !word.test(check.sql)),
      });
    }
    case "alterColumn": {
      const current = column(change.name);
      const { type, nullable, default: value } = change.changes;
      const typeChecks = new Set(typeCheckNames(live.name, change.name));
      const defaultType = type ?? mapping.parseColumnType(current.sqlType, undefined);
      return keep({
        ...live,
        columns: live.columns.map((c) =>
          c.name !== change.name
            ? c
            : {
                ...c,
                sqlType: type === undefined ? c.sqlType : mapping.columnType(type, context),
                notNull: nullable === undefined ? c.notNull : !nullable,
                defaultSql: value === undefined ? c.defaultSql : value === null ? undefined : mapping.defaultSql(defaultType, value),
              },
        ),
        checks: type === undefined ? live.checks : [...live.checks.filter((check) => !typeChecks.has(check.name)), ...columnChecks(live.name, { name: change.name, type }, mapping, context)],
      });
    }
    case "addForeignKey":
      return keep({ ...live, foreignKeys: [...live.foreignKeys.filter((fk) => !same(fk.columns, change.foreignKey.columns)), change.foreignKey] });
    case "dropForeignKey":
      if (!live.foreignKeys.some((fk) => same(fk.columns, change.columns))) throw new NotSupportedError(`table "${live.name}" has no foreign key on (${change.columns.join(", ")})`);
      return keep({ ...live, foreignKeys: live.foreignKeys.filter((fk) => !same(fk.columns, change.columns)) });
    case "addUnique":
      return keep({ ...live, uniques: [...live.uniques, [...change.columns]] });
    case "dropUnique":
      if (!live.uniques.some((columns) => same(columns, change.columns))) throw new NotSupportedError(`table "${live.name}" has no unique constraint on (${change.columns.join(", ")})`);
      return keep({ ...live, uniques: live.uniques.filter((columns) => !same(columns, change.columns)) });
  }
}
