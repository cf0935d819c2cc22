import type { ColumnChanges } from "../../backends/table-change.js";
import { NotSupportedError } from "../../errors.js";
import type { ForeignKeyModel, IndexModel, SchemaModel, TableModel } from "../../schema/schema-model.js";
import { sortTables } from "../../schema/sort-tables.js";
import type { CheckSpec, Operation, TableSpec } from "./operation.js";

/** Options of {@link diffSchemas}. */
export interface DiffOptions {
  /** The SQL of a named check of a table to be created (the model holds only check names). */
  readonly declaredCheckSql?: (table: string, check: string) => string | undefined;
  /** The SQL of a named check of a live table to be dropped (for the inverse). */
  readonly liveCheckSql?: (table: string, check: string) => string | undefined;
}

/**
 * The operations that turn the `live` schema into the `declared` one, in an order that is
 * safe to run: foreign keys, indexes and unique constraints that go are dropped first, then
 * tables that go (referencing tables before referenced ones), then new tables (referenced
 * first), then column changes, and new uniques, indexes and foreign keys last. Drop and alter
 * operations carry what was there, so `invertOperations` gives the way back. Pure.
 *
 * Not detected: renames (a rename is a drop plus an add; write `op.renameColumn` by hand),
 * primary-key and identity changes, check changes on existing tables.
 *
 * @example
 * ```ts
 * const operations = diffSchemas(toSchemaModel(schema), await introspectSchema(engine));
 * ```
 */
export function diffSchemas(declared: SchemaModel, live: SchemaModel, options: DiffOptions = {}): Operation[] {
  const liveByName = new Map(live.tables.map((table) => [table.name, table]));
  const declaredByName = new Map(declared.tables.map((table) => [table.name, table]));
  const kept = declared.tables.filter((table) => liveByName.has(table.name)).map((table) => [table, liveByName.get(table.name)!] as const);
  const created = declared.tables.filter((table) => !liveByName.has(table.name));
  const dropped = live.tables.filter((table) => !declaredByName.has(table.name));

  const drops: Operation[] = [];
  const columns: Operation[] = [];
  const adds: Operation[] = [];
  for (const [want, have] of kept) {
    const name = want.name;
    for (const fk of have.foreignKeys) if (!want.foreignKeys.some((other) => sameForeignKey(fk, other))) drops.push({ kind: "dropForeignKey", table: name, columns: fk.columns, foreignKey: fk });
    for (const index of have.indexes) if (!want.indexes.some((other) => sameIndex(index, other))) drops.push({ kind: "dropIndex", table: name, name: index.name, index });
    for (const unique of have.uniques) if (!want.uniques.some((other) => sameList(unique, other))) drops.push({ kind: "dropUnique", table: name, columns: unique });

    for (const column of want.columns) {
      const current = have.columns.find((other) => other.name === column.name);
      if (current === undefined) {
        columns.push({ kind: "addColumn", table: name, column });
        continue;
      }
      const changes: { -readonly [K in keyof ColumnChanges]: ColumnChanges[K] } = {};
      const previous: { -readonly [K in keyof ColumnChanges]: ColumnChanges[K] } = {};
      if (canonical(column.type) !== canonical(current.type)) [changes.type, previous.type] = [column.type, current.type];
      if (column.nullable !== current.nullable) [changes.nullable, previous.nullable] = [column.nullable, current.nullable];
      if (canonical(column.default) !== canonical(current.default)) [changes.default, previous.default] = [column.default ?? null, current.default ?? null];
      if (Object.keys(changes).length > 0) columns.push({ kind: "alterColumn", table: name, name: column.name, changes, previous });
    }
    for (const column of have.columns) {
      if (!want.columns.some((other) => other.name === column.name)) columns.push({ kind: "dropColumn", table: name, name: column.name, column });
    }

    for (const unique of want.uniques) if (!have.uniques.some((other) => sameList(unique, other))) adds.push({ kind: "addUnique", table: name, columns: unique });
    for (const index of want.indexes) if (!have.indexes.some((other) => sameIndex(index, other))) adds.push({ kind: "createIndex", table: name, index });
    for (const fk of want.foreignKeys) if (!have.foreignKeys.some((other) => sameForeignKey(fk, other))) adds.push({ kind: "addForeignKey", table: name, foreignKey: fk });
  }
  // Foreign keys go last, after the tables and columns they point at exist.
  adds.sort((a, b) => Number(a.kind === "addForeignKey") - Number(b.kind === "addForeignKey"));

  const dropOrder = [...fkOrder(dropped)].reverse();
  const tableDrops: Operation[] = dropOrder.map((name) => {
    const table = dropped.find((candidate) => candidate.name === name)!;
    return { kind: "dropTable", name, table: tableSpec(table, options.liveCheckSql) };
  });
  const tableCreates: Operation[] = fkOrder(created).map((name) => ({ kind: "createTable", table: tableSpec(declaredByName.get(name)!, options.declaredCheckSql) }));
  return [...drops, ...tableDrops, ...tableCreates, ...columns, ...adds];
}

function fkOrder(tables: readonly TableModel[]): string[] {
  return sortTables(tables.map((table) => ({ name: table.name, dependsOn: table.foreignKeys.map((fk) => fk.referencedTable) })));
}

function tableSpec(table: TableModel, checkSql: ((table: string, check: string) => string | undefined) | undefined): TableSpec {
  const checks = table.checks.map((name): CheckSpec => {
    const sql = checkSql?.(table.name, name);
    if (sql === undefined) throw new NotSupportedError(`the SQL of check "${name}" on table "${table.name}" is unknown, so the table cannot be rendered`);
    return { name, sql };
  });
  return { ...table, checks };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function sameIndex(a: IndexModel, b: IndexModel): boolean {
  return (
    a.name === b.name &&
    a.unique === b.unique &&
    sameList(a.columns, b.columns) &&
    a.method === b.method &&
    // The catalog names the operator class of every index with a method; a declaration without one takes the default.
    (a.operatorClass === b.operatorClass || a.operatorClass === undefined || b.operatorClass === undefined) &&
    canonical(a.with ?? {}) === canonical(b.with ?? {})
  );
}

function sameForeignKey(a: ForeignKeyModel, b: ForeignKeyModel): boolean {
  return sameList(a.columns, b.columns) && a.referencedTable === b.referencedTable && sameList(a.referencedColumns, b.referencedColumns) && a.onDelete === b.onDelete && a.onUpdate === b.onUpdate;
}

/** JSON with sorted keys, so models from different sources compare by value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
  ) ?? "undefined";
}

