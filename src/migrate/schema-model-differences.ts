import type { SchemaModel, TableModel } from "../schema/schema-model.js";

/** The SQL of each named check, per table (from `typeMapping.readCatalog`), when known. */
export type CheckSql = (table: string, check: string) => string | undefined;

/**
 * Every way the `live` schema model differs from the `expected` one, one sentence each
 * (`table "messages": column "thinking" is missing`): tables, columns (type, nullability,
 * default, identity), primary keys, unique constraints, foreign keys with their actions,
 * indexes, and checks by name and, with `checkSql`, by their SQL. Stricter than
 * `diffSchemas`, which only lists what autogenerate can write. Pure.
 *
 * @example
 * ```ts
 * schemaModelDifferences(await introspectSchema(scratch), await introspectSchema(engine)); // [] when they match
 * ```
 */
export function schemaModelDifferences(expected: SchemaModel, live: SchemaModel, checkSql?: { readonly expected: CheckSql; readonly live: CheckSql }): string[] {
  const differences: string[] = [];
  const liveTables = new Map(live.tables.map((table) => [table.name, table]));
  for (const table of expected.tables) {
    const other = liveTables.get(table.name);
    if (other === undefined) differences.push(`table "${table.name}" is missing`);
    else differences.push(...tableDifferences(table, other, checkSql).map((text) => `table "${table.name}": ${text}`));
  }
  for (const table of live.tables) if (!expected.tables.some((candidate) => candidate.name === table.name)) differences.push(`table "${table.name}" is there but the revisions do not make it`);
  return differences;
}

function tableDifferences(want: TableModel, have: TableModel, checkSql: { readonly expected: CheckSql; readonly live: CheckSql } | undefined): string[] {
  const out: string[] = [];
  for (const column of want.columns) {
    const current = have.columns.find((other) => other.name === column.name);
    if (current === undefined) {
      out.push(`column "${column.name}" is missing`);
      continue;
    }
    for (const field of ["type", "nullable", "default", "identity"] as const) {
      if (canonical(column[field]) !== canonical(current[field])) out.push(`column "${column.name}" ${field} is ${canonical(current[field])}, the revisions make ${canonical(column[field])}`);
    }
  }
  for (const column of have.columns) if (!want.columns.some((other) => other.name === column.name)) out.push(`column "${column.name}" is there but the revisions do not make it`);
  if (canonical(want.primaryKey) !== canonical(have.primaryKey)) out.push(`primary key is ${canonical(have.primaryKey)}, the revisions make ${canonical(want.primaryKey)}`);
  const compareSets = (what: string, wanted: readonly unknown[], had: readonly unknown[]) => {
    const haveKeys = new Set(had.map(canonical));
    const wantKeys = new Set(wanted.map(canonical));
    for (const key of wantKeys) if (!haveKeys.has(key)) out.push(`${what} ${key} is missing`);
    for (const key of haveKeys) if (!wantKeys.has(key)) out.push(`${what} ${key} is there but the revisions do not make it`);
  };
  compareSets("unique constraint", want.uniques, have.uniques);
  compareSets("foreign key", want.foreignKeys, have.foreignKeys);
  compareSets("index", want.indexes, have.indexes);
  compareSets("check", want.checks, have.checks);
  if (checkSql !== undefined) {
    for (const name of want.checks.filter((check) => have.checks.includes(check))) {
      const [expected, live] = [checkSql.expected(want.name, name), checkSql.live(have.name, name)].map((text) => text?.replace(/\s+/g, " ").trim());
      if (expected !== live) out.push(`check "${name}" is ${live ?? "unknown"}, the revisions make ${expected ?? "unknown"}`);
    }
  }
  return out;
}

/** JSON with sorted keys, so values from different sources compare by value. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, inner: unknown) =>
      inner !== null && typeof inner === "object" && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner,
    ) ?? "none"
  );
}
