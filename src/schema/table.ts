import { fitIdentifier } from "../backends/fit-identifier.js";
import { constraintName } from "../backends/table-change.js";
import { SchemaDefinitionError } from "../errors.js";
import { checkIdentifier } from "./check-identifier.js";
import type { AnyColumn } from "./column.js";
import type { ColumnRef } from "./column-ref.js";
import type { TableExtra } from "./table-extras.js";
import { indexModelOptions } from "./index-model-options.js";
import type { ForeignKeyDefinition, TableDefinition } from "./table-definition.js";

/** The columns of a table declaration, keyed by column name. */
export type ColumnMap = Record<string, AnyColumn>;

/** The column references of a table, as handed to its extras callback: `t.ownerId`. */
export type ColumnRefs<TName extends string, TColumns extends ColumnMap> = {
  readonly [K in keyof TColumns & string]: ColumnRef<TName, K, TColumns[K]>;
};

/**
 * A declared table: its column references (`users.id`) plus `$name`, `$columns` and
 * `$definition` (keys starting with `$` are reserved, so they never collide with columns).
 */
export type Table<TName extends string = string, TColumns extends ColumnMap = ColumnMap> = ColumnRefs<TName, TColumns> & {
  readonly $name: TName;
  readonly $columns: TColumns;
  readonly $definition: TableDefinition;
};

/** Any table, whatever its columns. */
export type AnyTable = Table<string, any>;

/**
 * Declares a table: a name, its columns, and optionally indexes, composite keys and checks.
 *
 * @example
 * ```ts
 * export const agents = table("agents", {
 *   id: uuid().primaryKey().defaultRandom(),
 *   ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
 *   schedule: text(),
 *   ...timestamps(),
 * }, (t) => [index("ix_agents_owner_id").on(t.ownerId)]);
 * ```
 */
export function table<const TName extends string, TColumns extends ColumnMap>(
  name: TName,
  columns: TColumns,
  extras?: (columns: ColumnRefs<TName, TColumns>) => readonly TableExtra[],
): Table<TName, TColumns> {
  checkIdentifier(name, "table", "table()");
  const refs: Record<string, { -readonly [K in keyof ColumnRef]: ColumnRef[K] }> = {};
  for (const [key, column] of Object.entries(columns)) {
    checkIdentifier(key, "column", `table "${name}"`);
    for (const check of column.definition.checks) if (check.name !== undefined) checkIdentifier(check.name, "constraint", `table "${name}"`);
    if (key.startsWith("$")) throw new SchemaDefinitionError(`table "${name}": column names starting with "$" are reserved (${key})`);
    refs[key] = { table: name, name: key, column, definition: column.definition, tableDefinition: undefined! };
  }
  const extra = extras?.(refs as unknown as ColumnRefs<TName, TColumns>) ?? [];
  for (const item of extra) {
    if (item.kind === "index") checkIdentifier(item.name, "index", `table "${name}"`);
    else if ((item.kind === "unique" || item.kind === "check") && item.name !== undefined) checkIdentifier(item.name, "constraint", `table "${name}"`);
  }
  const definition = buildDefinition(name, columns, extra);
  for (const ref of Object.values(refs)) Object.freeze(Object.assign(ref, { tableDefinition: definition }));
  Object.freeze(refs);
  return Object.freeze({ ...refs, $name: name, $columns: columns, $definition: definition }) as Table<TName, TColumns>;
}

function buildDefinition(name: string, columns: ColumnMap, extras: readonly TableExtra[]): TableDefinition {
  const entries = Object.entries(columns).map(([key, column]) => ({ name: key, definition: column.definition }));
  const own = (columnNames: readonly { table: string; name: string }[], what: string): string[] =>
    columnNames.map((ref) => {
      if (ref.table !== name) throw new SchemaDefinitionError(`table "${name}": ${what} names column "${ref.table}.${ref.name}" of another table`);
      return ref.name;
    });

  const columnPk = entries.filter((entry) => entry.definition.primaryKey).map((entry) => entry.name);
  const extraPks = extras.filter((extra) => extra.kind === "primaryKey");
  if (extraPks.length > 1 || (extraPks.length === 1 && columnPk.length > 0) || columnPk.length > 1) {
    throw new SchemaDefinitionError(`table "${name}" declares more than one primary key; for a composite key use primaryKey(t.a, t.b) in the extras only`);
  }
  const pkColumns = extraPks.length === 1 ? own(extraPks[0]!.columns, "primaryKey()") : columnPk;
  for (const column of pkColumns) {
    if (!columns[column]!.definition.notNull) {
      throw new SchemaDefinitionError(`table "${name}": column "${column}" is part of the primary key; declare it notNull()`);
    }
  }

  const uniques: Array<{ name: string; columns: readonly string[] }> = [];
  const foreignKeys: ForeignKeyDefinition[] = [];
  const checks: Array<TableDefinition["checks"][number]> = [];
  for (const { name: column, definition } of entries) {
    if (definition.identity && !definition.primaryKey) {
      throw new SchemaDefinitionError(`table "${name}": identity column "${column}" must be the table's primaryKey()`);
    }
    if (definition.unique) uniques.push({ name: constraintName(name, [column], "key"), columns: [column] });
    const reference = definition.references;
    if (reference !== undefined) {
      foreignKeys.push({
        name: constraintName(name, [column], "fkey"),
        columns: [column],
        target: () => {
          const target = reference.target();
          return { table: target.table, columns: [target.name] };
        },
        onDelete: reference.onDelete,
        onUpdate: reference.onUpdate,
      });
    }
    definition.checks.forEach((check, i) => checks.push({ name: check.name ?? fitIdentifier(`${name}_${column}`, `check${i === 0 ? "" : i}`), expression: check.expression }));
  }
  const indexes = [];
  for (const extra of extras) {
    if (extra.kind === "unique") {
      const cols = own(extra.columns, "unique()");
      uniques.push({ name: extra.name ?? constraintName(name, cols, "key"), columns: cols });
    } else if (extra.kind === "index") {
      indexes.push(Object.freeze({ name: extra.name, columns: own(extra.columns, `index "${extra.name}"`), unique: extra.unique, ...indexModelOptions(extra.options) }));
    } else if (extra.kind === "check") {
      checks.push({ name: extra.name, expression: extra.expression });
    }
  }
  return Object.freeze({
    name,
    columns: Object.freeze(entries),
    primaryKey: pkColumns.length > 0 ? Object.freeze({ name: constraintName(name, [], "pkey"), columns: Object.freeze(pkColumns) }) : undefined,
    uniques: Object.freeze(uniques),
    foreignKeys: Object.freeze(foreignKeys),
    indexes: Object.freeze(indexes),
    checks: Object.freeze(checks),
  });
}
