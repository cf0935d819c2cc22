import { sql, type Kysely } from "kysely";
import type { IndexModel, ReferentialAction } from "../../schema/schema-model.js";
import type { CatalogTable } from "../type-mapping.js";

interface ColumnRow { table: string; name: string; type: string; notNull: boolean; default: string | null; identity: string }
interface ConstraintRow { table: string; name: string; type: string; columns: string[]; referencedTable: string | null; referencedColumns: string[] | null; onDelete: string; onUpdate: string; definition: string }
interface IndexRow { table: string; name: string; unique: boolean; columns: Array<string | null>; method: string; operatorClasses: string[]; options: string[] | null }

const ACTIONS: Record<string, ReferentialAction> = { a: "no action", r: "restrict", c: "cascade", n: "set null", d: "set default" };

/** Reads tables, columns, constraints and indexes of the current schema (`search_path`'s first). */
export async function readPostgresCatalog(db: Kysely<any>): Promise<CatalogTable[]> {
  const tables = (await sql<{ name: string }>`
    select c.relname as name from pg_class c
    where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') order by c.relname`.execute(db)).rows;
  const columns = (await sql<ColumnRow>`
    select c.relname as "table", a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as "notNull",
           pg_get_expr(d.adbin, d.adrelid) as "default", a.attidentity as identity
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`.execute(db)).rows;
  const constraints = (await sql<ConstraintRow>`
    select c.relname as "table", k.conname as name, k.contype as type,
           array(select a.attname from unnest(k.conkey) with ordinality u(n, i) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i)::text[] as columns,
           f.relname as "referencedTable",
           case when k.contype = 'f' then array(select a.attname from unnest(k.confkey) with ordinality u(n, i) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i)::text[] end as "referencedColumns",
           k.confdeltype as "onDelete", k.confupdtype as "onUpdate", pg_get_constraintdef(k.oid) as definition
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    left join pg_class f on f.oid = k.confrelid
    where c.relnamespace = current_schema()::regnamespace
    order by c.relname, k.conname`.execute(db)).rows;
  const indexes = (await sql<IndexRow>`
    select t.relname as "table", i.relname as name, x.indisunique as unique,
           array(select a.attname from unnest(x.indkey) with ordinality u(n, o) left join pg_attribute a on a.attrelid = x.indrelid and a.attnum = u.n order by u.o)::text[] as columns,
           m.amname as method,
           -- each column's operator class; for btree '' where it is its type's default
           array(select case when o.opcdefault and m.amname = 'btree' then '' else o.opcname end from unnest(x.indclass) with ordinality u(c, k) join pg_opclass o on o.oid = u.c order by u.k)::text[] as "operatorClasses",
           i.reloptions as options
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_am m on m.oid = i.relam
    join pg_class t on t.oid = x.indrelid
    where t.relnamespace = current_schema()::regnamespace and x.indpred is null and x.indexprs is null
      and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = x.indrelid)
    order by t.relname, i.relname`.execute(db)).rows;

  return tables.map(({ name }) => {
    const own = constraints.filter((constraint) => constraint.table === name);
    return {
      name,
      columns: columns
        .filter((column) => column.table === name)
        .map((column) => ({
          name: column.name,
          sqlType: column.type,
          notNull: column.notNull,
          defaultSql: column.default ?? undefined,
          identity: column.identity === "d" || column.identity === "a",
        })),
      primaryKey: own.find((constraint) => constraint.type === "p")?.columns ?? [],
      uniques: own.filter((constraint) => constraint.type === "u").map((constraint) => constraint.columns),
      foreignKeys: own
        .filter((constraint) => constraint.type === "f")
        .map((constraint) => ({
          columns: constraint.columns,
          referencedTable: constraint.referencedTable!,
          referencedColumns: constraint.referencedColumns!,
          onDelete: ACTIONS[constraint.onDelete] ?? "no action",
          onUpdate: ACTIONS[constraint.onUpdate] ?? "no action",
        })),
      indexes: indexes
        .filter((index) => index.table === name && index.columns.every((column) => column !== null))
        .map((index) => indexModel(index)),
      checks: own.filter((constraint) => constraint.type === "c").map((constraint) => ({ name: constraint.name, sql: constraint.definition })),
    };
  });
}

/** An index as the schema declares it: the method unless btree, the operator class (of a btree index: when not the default), storage parameters when set. */
function indexModel(row: IndexRow): IndexModel {
  const operatorClass = row.operatorClasses.find((name) => name !== "");
  const parameters = (row.options ?? []).map((option) => option.split("=", 2) as [string, string]);
  return {
    name: row.name,
    columns: row.columns as string[],
    unique: row.unique,
    ...(row.method === "btree" ? {} : { method: row.method }),
    ...(operatorClass === undefined ? {} : { operatorClass }),
    ...(parameters.length === 0 ? {} : { with: Object.fromEntries(parameters.map(([name, value]) => [name, Number(value)])) }),
  };
}
