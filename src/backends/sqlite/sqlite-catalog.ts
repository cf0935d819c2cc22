import { sql, type Kysely } from "kysely";
import type { ReferentialAction } from "../../schema/schema-model.js";
import type { CatalogTable } from "../type-mapping.js";

interface ColumnRow { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }
interface IndexRow { name: string; unique: number; origin: string; partial: number }
interface ForeignKeyRow { id: number; seq: number; table: string; from: string; to: string; on_update: string; on_delete: string }

/** Reads tables, columns, keys, indexes and named checks of a SQLite database. */
export async function readSqliteCatalog(db: Kysely<any>): Promise<CatalogTable[]> {
  const tables = await rows<{ name: string; sql: string }>(
    db,
    sql`select name, sql from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name`,
  );
  const result: CatalogTable[] = [];
  for (const table of tables) {
    const columns = await rows<ColumnRow>(db, sql`select name, type, "notnull", dflt_value, pk from pragma_table_info(${table.name}) order by cid`);
    const indexList = await rows<IndexRow>(db, sql`select name, "unique", origin, partial from pragma_index_list(${table.name})`);
    const uniques: string[][] = [];
    const indexes: CatalogTable["indexes"][number][] = [];
    for (const index of indexList) {
      if (index.origin === "pk" || index.partial === 1) continue;
      const indexColumns = (await rows<{ name: string | null }>(db, sql`select name from pragma_index_info(${index.name}) order by seqno`)).map((row) => row.name);
      if (indexColumns.some((name) => name === null)) continue;
      if (index.origin === "u") uniques.push(indexColumns as string[]);
      else indexes.push({ name: index.name, columns: indexColumns as string[], unique: index.unique === 1 });
    }
    const foreignKeyRows = await rows<ForeignKeyRow>(db, sql`select id, seq, "table", "from", "to", on_update, on_delete from pragma_foreign_key_list(${table.name}) order by id, seq`);
    const foreignKeys = new Map<number, { columns: string[]; referencedTable: string; referencedColumns: string[]; onDelete: ReferentialAction; onUpdate: ReferentialAction }>();
    for (const row of foreignKeyRows) {
      let foreignKey = foreignKeys.get(row.id);
      if (foreignKey === undefined) {
        foreignKey = { columns: [], referencedTable: row.table, referencedColumns: [], onDelete: action(row.on_delete), onUpdate: action(row.on_update) };
        foreignKeys.set(row.id, foreignKey);
      }
      foreignKey.columns.push(row.from);
      foreignKey.referencedColumns.push(row.to);
    }
    const autoincrement = /\bautoincrement\b/i.test(table.sql);
    result.push({
      name: table.name,
      columns: columns.map((column) => ({
        name: column.name,
        sqlType: column.type,
        notNull: column.notnull === 1,
        defaultSql: column.dflt_value ?? undefined,
        identity: autoincrement && column.pk === 1 && /^integer$/i.test(column.type),
      })),
      primaryKey: columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name),
      uniques,
      foreignKeys: [...foreignKeys.values()],
      indexes,
      checks: namedChecks(table.sql),
    });
  }
  return result;
}

async function rows<T>(db: Kysely<any>, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await query.execute(db)).rows as T[];
}

function action(text: string): ReferentialAction {
  const lower = text.toLowerCase();
  return lower === "cascade" || lower === "set null" || lower === "restrict" || lower === "set default" ? lower : "no action";
}

// SQLite keeps no catalog of CHECK constraints: read `constraint "name" check (…)` from the table's SQL.
function namedChecks(tableSql: string): Array<{ name: string; sql: string }> {
  const checks: Array<{ name: string; sql: string }> = [];
  const pattern = /constraint\s+(?:"((?:[^"]|"")+)"|(\w+))\s+check\s*\(/gi;
  for (let match = pattern.exec(tableSql); match !== null; match = pattern.exec(tableSql)) {
    const start = pattern.lastIndex - 1;
    const end = closingParenthesis(tableSql, start);
    checks.push({ name: (match[1] ?? match[2]!).replaceAll('""', '"'), sql: tableSql.slice(start + 1, end) });
  }
  return checks;
}

function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const char = text[i]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') quote = char;
    else if (char === "(") depth++;
    else if (char === ")" && --depth === 0) return i;
  }
  return text.length;
}
