import { SchemaDefinitionError } from "../errors.js";
import { sortTables } from "./sort-tables.js";
import type { AnyTable } from "./table.js";
import type { TableDefinition } from "./table-definition.js";

/**
 * A set of tables: the single declaration from which query types ({@link InferDatabase}),
 * DDL (`initializeDatabase`), value conversion (the engine's `schema` option) and seeding come.
 */
export interface Schema<TTables extends Record<string, AnyTable> = Record<string, AnyTable>> {
  /** The declared tables, keyed as given to {@link defineSchema}. */
  readonly tables: TTables;
  /** Table definitions in declaration order. */
  readonly definitions: readonly TableDefinition[];
  /** A table's definition by its SQL name. */
  table(name: string): TableDefinition | undefined;
  /**
   * Table names in foreign-key order (referenced tables first).
   * @throws SchemaCycleError when the foreign keys form a cycle.
   */
  creationOrder(): readonly string[];
}

/**
 * Collects tables into a schema, checking that every foreign key points at a declared
 * table and column of the same type.
 *
 * @example
 * ```ts
 * export const schema = defineSchema({ users, agents });
 * export type DB = InferDatabase<typeof schema>;
 * ```
 */
export function defineSchema<const TTables extends Record<string, AnyTable>>(tables: TTables): Schema<TTables> {
  const definitions = Object.values(tables).map((table) => table.$definition);
  const byName = new Map<string, TableDefinition>();
  for (const definition of definitions) {
    if (byName.has(definition.name)) throw new SchemaDefinitionError(`table "${definition.name}" is declared twice`);
    byName.set(definition.name, definition);
  }
  for (const definition of definitions) {
    for (const foreignKey of definition.foreignKeys) {
      const target = foreignKey.target();
      const targetTable = byName.get(target.table);
      const where = `table "${definition.name}" column "${foreignKey.columns.join(", ")}"`;
      if (targetTable === undefined) throw new SchemaDefinitionError(`${where} references table "${target.table}", which is not in the schema`);
      target.columns.forEach((targetColumn, i) => {
        const referenced = targetTable.columns.find((column) => column.name === targetColumn);
        if (referenced === undefined) throw new SchemaDefinitionError(`${where} references unknown column "${target.table}.${targetColumn}"`);
        const local = definition.columns.find((column) => column.name === foreignKey.columns[i])!;
        if (local.definition.type.kind !== referenced.definition.type.kind) {
          throw new SchemaDefinitionError(`${where} is ${local.definition.type.kind} but references ${referenced.definition.type.kind} column "${target.table}.${targetColumn}"`);
        }
      });
    }
  }
  let order: readonly string[] | undefined;
  return Object.freeze({
    tables,
    definitions: Object.freeze(definitions),
    table: (name: string) => byName.get(name),
    creationOrder: () => {
      order ??= Object.freeze(
        sortTables(definitions.map((definition) => ({ name: definition.name, dependsOn: definition.foreignKeys.map((foreignKey) => foreignKey.target().table) }))),
      );
      return order;
    },
  });
}
