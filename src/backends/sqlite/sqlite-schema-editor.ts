import { sql, type Kysely } from "kysely";
import { ForeignKeyViolationError } from "../../errors.js";
import { quoteIdentifier as q } from "../quote-identifier.js";
import type { SchemaEditor } from "../schema-editor.js";
import type { CatalogTable } from "../type-mapping.js";
import { sqliteTableSql } from "./sqlite-table-sql.js";

/**
 * SQLite does natively what its ALTER TABLE can (ADD COLUMN with a constant default, DROP
 * COLUMN of a column no index or constraint uses, renames, indexes); everything else
 * rebuilds the table: create the new definition, copy the rows, drop the old, rename,
 * recreate the indexes (https://www.sqlite.org/lang_altertable.html#otheralter).
 */
export const sqliteSchemaEditor: SchemaEditor = {
  // PRAGMA foreign_keys is a no-op inside a transaction, and dropping a table with
  // enforcement on deletes its rows first, firing ON DELETE CASCADE in the tables that
  // reference it. So a revision runs with enforcement off and `foreign_key_check` before
  // commit (SQLite's documented procedure, as Django's SQLite schema editor does).
  async transaction(db, work) {
    return db.connection().execute(async (connection) => {
      const before = (await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(connection)).rows[0]?.foreign_keys === 1;
      if (before) await sql`pragma foreign_keys = off`.execute(connection);
      try {
        return await connection.transaction().execute(async (trx) => {
          const result = await work(trx);
          if (before) await checkForeignKeys(trx, undefined);
          return result;
        });
      } finally {
        if (before) await sql`pragma foreign_keys = on`.execute(connection);
      }
    });
  },
  needsLiveTable: (change) => change.kind === "dropColumn",
  alterSql(change, live, mapping, context) {
    const table = q(change.table);
    switch (change.kind) {
      case "addColumn": {
        const { column } = change;
        const value = column.default;
        const constant = value === undefined || value.kind === "value";
        const filled = column.nullable || (value !== undefined && !(value.kind === "value" && value.value === null));
        if (column.identity || !constant || !filled || column.type.kind === "enum" || column.type.kind === "vector") return undefined;
        let text = `alter table ${table} add column ${q(column.name)} ${mapping.columnType(column.type, context)}`;
        if (!column.nullable) text += " not null";
        if (value !== undefined) text += ` default ${mapping.defaultSql(column.type, value)}`;
        return [text];
      }
      case "dropColumn": {
        if (live === undefined || usesColumn(live, change.name)) return undefined;
        return [`alter table ${table} drop column ${q(change.name)}`];
      }
      default:
        return undefined;
    }
  },
  async rebuildTable(db, live, desired, copy) {
    const temporary = `__athanor_new_${desired.name}`;
    await sql.raw(sqliteTableSql({ ...desired, name: temporary }, desired.name)).execute(db);
    if (copy.length > 0) {
      await sql
        .raw(`insert into ${q(temporary)} (${copy.map((c) => q(c.column)).join(", ")}) select ${copy.map((c) => q(c.from)).join(", ")} from ${q(live.name)}`)
        .execute(db);
    }
    await sql.raw(`drop table ${q(live.name)}`).execute(db);
    await sql.raw(`alter table ${q(temporary)} rename to ${q(desired.name)}`).execute(db);
    for (const index of desired.indexes) {
      await sql.raw(`create ${index.unique ? "unique " : ""}index ${q(index.name)} on ${q(desired.name)} (${index.columns.map(q).join(", ")})`).execute(db);
    }
    await checkForeignKeys(db, desired.name);
  },
};

function usesColumn(table: CatalogTable, column: string): boolean {
  const word = new RegExp(`(^|[^A-Za-z0-9_])${column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^A-Za-z0-9_]|$)`);
  return (
    table.primaryKey.includes(column) ||
    table.uniques.some((columns) => columns.includes(column)) ||
    table.indexes.some((index) => index.columns.includes(column)) ||
    table.foreignKeys.some((foreignKey) => foreignKey.columns.includes(column)) ||
    table.checks.some((check) => word.test(check.sql))
  );
}

async function checkForeignKeys(db: Kysely<any>, table: string | undefined): Promise<void> {
  const query = table === undefined ? sql`pragma foreign_key_check` : sql`pragma foreign_key_check(${sql.lit(table)})`;
  const rows = (await query.execute(db)).rows as Array<{ table: string; rowid: number | null; parent: string }>;
  if (rows.length === 0) return;
  const first = rows[0]!;
  throw new ForeignKeyViolationError(
    `${rows.length} row(s) break foreign keys after the migration, e.g. ${first.table} rowid ${first.rowid ?? "?"} references a missing row of ${first.parent}`,
    { table: first.table },
  );
}
