import { SchemaCycleError } from "../errors.js";

/** A table and the tables its foreign keys point to. */
export interface TableDependencies {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/**
 * Orders tables so every table comes after the tables it references (the order to create
 * and seed them; reverse it to drop). Pure. Self-references are allowed; references to
 * tables not in the list are ignored. Ties keep the input order.
 *
 * @throws SchemaCycleError naming the cycle, e.g. `["a", "b", "a"]`.
 *
 * @example
 * ```ts
 * sortTables([{ name: "agents", dependsOn: ["users"] }, { name: "users", dependsOn: [] }]); // ["users", "agents"]
 * ```
 */
export function sortTables(tables: readonly TableDependencies[]): string[] {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const done = new Set<string>();
  const path: string[] = [];
  const order: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const open = path.indexOf(name);
    if (open >= 0) throw new SchemaCycleError([...path.slice(open), name]);
    path.push(name);
    for (const dependency of byName.get(name)!.dependsOn) {
      if (dependency !== name && byName.has(dependency)) visit(dependency);
    }
    path.pop();
    done.add(name);
    order.push(name);
  };
  for (const table of tables) visit(table.name);
  return order;
}
