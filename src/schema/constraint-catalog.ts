import { fitIdentifier } from "../backends/fit-identifier.js";
import { dimensionCheckName, enumCheckName } from "./schema-ddl.js";
import type { Schema } from "./define-schema.js";

/** One constraint the schema declares, as an error names it. */
export interface DeclaredConstraint {
  /** `unique` covers primary keys, unique constraints and unique indexes (they fail alike). */
  readonly kind: "unique" | "foreignKey" | "check";
  readonly name: string;
  readonly table: string;
  /** In declaration order; empty for a table check, whose columns are an expression's business. */
  readonly columns: readonly string[];
  /** For a foreign key: the table it references. */
  readonly referencedTable?: string | undefined;
  /** For a foreign key: the referenced columns. */
  readonly referencedColumns?: readonly string[] | undefined;
}

/**
 * Every constraint of a schema by name and by columns: how a constraint error is completed
 * where the database does not say (SQLite gives columns without a name, PostgreSQL a name
 * without columns). Built once per engine, on first use (foreign keys resolve lazily).
 *
 * @example
 * ```ts
 * const catalog = new ConstraintCatalog(schema);
 * catalog.byName("users_email_key")?.columns;              // ["email"]
 * catalog.byColumns("unique", "users", ["email"])?.name;    // "users_email_key"
 * ```
 */
export class ConstraintCatalog {
  readonly #schema: Schema;
  #all: readonly DeclaredConstraint[] | undefined;

  constructor(schema: Schema) {
    this.#schema = schema;
  }

  get all(): readonly DeclaredConstraint[] {
    return (this.#all ??= Object.freeze(collect(this.#schema)));
  }

  /** The constraint named `name` (of `table`, when given; else the only one of that name). */
  byName(name: string, table?: string): DeclaredConstraint | undefined {
    const matches = this.all.filter((constraint) => constraint.name === name && (table === undefined || constraint.table === table));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** The constraint of `kind` on `table` over exactly these columns (in any order). */
  byColumns(kind: DeclaredConstraint["kind"], table: string, columns: readonly string[]): DeclaredConstraint | undefined {
    const wanted = [...columns].sort().join("\u0000");
    return this.all.find((constraint) => constraint.kind === kind && constraint.table === table && [...constraint.columns].sort().join("\u0000") === wanted);
  }

  /** Foreign keys declared on `table`. */
  foreignKeysOf(table: string): DeclaredConstraint[] {
    return this.all.filter((constraint) => constraint.kind === "foreignKey" && constraint.table === table);
  }

  /** Foreign keys that reference `table`. */
  referencing(table: string): DeclaredConstraint[] {
    return this.all.filter((constraint) => constraint.kind === "foreignKey" && constraint.referencedTable === table);
  }
}

function collect(schema: Schema): DeclaredConstraint[] {
  const found: DeclaredConstraint[] = [];
  for (const table of schema.definitions) {
    const add = (kind: DeclaredConstraint["kind"], name: string, columns: readonly string[], referenced?: { table: string; columns: readonly string[] }) =>
      found.push(Object.freeze({ kind, name, table: table.name, columns, referencedTable: referenced?.table, referencedColumns: referenced?.columns }));
    if (table.primaryKey !== undefined) add("unique", table.primaryKey.name, table.primaryKey.columns);
    for (const unique of table.uniques) add("unique", unique.name, unique.columns);
    for (const index of table.indexes) if (index.unique) add("unique", index.name, index.columns);
    for (const foreignKey of table.foreignKeys) add("foreignKey", foreignKey.name, foreignKey.columns, foreignKey.target());
    for (const { name, definition } of table.columns) {
      if (definition.type.kind === "enum") add("check", enumCheckName(table.name, name), [name]);
      if (definition.type.kind === "vector") add("check", dimensionCheckName(table.name, name), [name]);
    }
    // A column's checks are named by hand or after their column (as table() names them); table checks name no column.
    const columnOf = new Map<string, string>();
    for (const { name: column, definition } of table.columns) {
      definition.checks.forEach((check, i) => columnOf.set(check.name ?? fitIdentifier(`${table.name}_${column}`, `check${i === 0 ? "" : i}`), column));
    }
    for (const check of table.checks) add("check", check.name, columnOf.has(check.name) ? [columnOf.get(check.name)!] : []);
  }
  return found;
}
