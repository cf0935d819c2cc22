import type { Insertable, Kysely, Selectable } from "kysely";
import { ConfigurationError } from "../errors.js";
import type { Schema } from "../schema/define-schema.js";
import type { InferDatabase } from "../schema/infer-database.js";
import type { TableDefinition } from "../schema/table-definition.js";

/** What a factory's defaults receive: a number unique per factory, for unique values (`user${sequence}@example.com`). */
export interface FactoryContext {
  readonly sequence: number;
}

/** Default values of a table's rows, per table; tables without one get no factory. */
export type FactoryDefaults<DB> = { readonly [T in keyof DB & string]?: (context: FactoryContext) => Partial<Insertable<DB[T]>> };

/** Rows of one table for tests. */
export interface Factory<DB, T extends keyof DB & string> {
  /** A row's values (defaults, then `overrides`), not inserted. Parents are not created. */
  build(overrides?: Partial<Insertable<DB[T]>>): Insertable<DB[T]>;
  /**
   * Inserts a row (defaults, then `overrides`) and returns it as read back. A required
   * foreign key left out gets a parent made by the parent table's factory, recursively.
   */
  create(db: Kysely<DB>, overrides?: Partial<Insertable<DB[T]>>): Promise<Selectable<DB[T]>>;
  /** `count` rows; `overrides` may depend on the row's index. */
  createList(db: Kysely<DB>, count: number, overrides?: Partial<Insertable<DB[T]>> | ((index: number) => Partial<Insertable<DB[T]>>)): Promise<Array<Selectable<DB[T]>>>;
}

/** The factories of a schema, by table name. */
export type Factories<DB> = { readonly [T in keyof DB & string]: Factory<DB, T> };

/**
 * Test-data factories typed by the schema, as factory_bot and fishery make them: defaults
 * per table, overrides per call, required foreign-key parents created on demand. Values
 * with a database default (`defaultRandom()`, `timestamps()`) need not be given.
 *
 * @example
 * ```ts
 * const factories = defineFactories(schema, {
 *   users: ({ sequence }) => ({ email: `user${sequence}@example.com`, name: `User ${sequence}` }),
 *   agents: ({ sequence }) => ({ name: `agent ${sequence}` }), // ownerId: a user is made for it
 * });
 * const agent = await factories.agents.create(sandbox.db, { schedule: "0 3 * * *" });
 * const users = await factories.users.createList(sandbox.db, 3);
 * ```
 */
export function defineFactories<S extends Schema<any>>(schema: S, defaults: FactoryDefaults<InferDatabase<S>>): Factories<InferDatabase<S>> {
  type DB = InferDatabase<S>;
  const sequences = new Map<string, number>();
  const given = defaults as Record<string, ((context: FactoryContext) => Record<string, unknown>) | undefined>;

  const build = (table: TableDefinition, overrides: Record<string, unknown> | undefined): Record<string, unknown> => {
    const sequence = (sequences.get(table.name) ?? 0) + 1;
    sequences.set(table.name, sequence);
    return { ...given[table.name]?.({ sequence }), ...overrides };
  };

  const create = async (db: Kysely<any>, table: TableDefinition, overrides: Record<string, unknown> | undefined): Promise<Record<string, unknown>> => {
    const values = build(table, overrides);
    for (const foreignKey of table.foreignKeys) {
      const missing = foreignKey.columns.filter((column) => values[column] === undefined);
      if (missing.length === 0 || !foreignKey.columns.every((name) => required(table, name))) continue;
      const target = foreignKey.target();
      const parentTable = schema.table(target.table)!;
      if (given[parentTable.name] === undefined && !defaultsCover(parentTable)) {
        throw new ConfigurationError(
          `factory "${table.name}": ${missing.join(", ")} references "${parentTable.name}", which has no factory: give ${missing.join(", ")} or add a "${parentTable.name}" factory`,
        );
      }
      const parent = await create(db, parentTable, undefined);
      foreignKey.columns.forEach((column, i) => {
        values[column] = parent[target.columns[i]!];
      });
    }
    const absent = table.columns.filter((column) => values[column.name] === undefined && required(table, column.name)).map((column) => column.name);
    if (absent.length > 0) throw new ConfigurationError(`factory "${table.name}": no value for required column(s) ${absent.join(", ")}: add them to its defaults or the overrides`);
    return db.insertInto(table.name).values(values).returningAll().executeTakeFirstOrThrow();
  };

  const factories: Record<string, Factory<DB, any>> = {};
  for (const table of schema.definitions) {
    factories[table.name] = Object.freeze({
      build: (overrides?: Record<string, unknown>) => build(table, overrides),
      create: (db: Kysely<any>, overrides?: Record<string, unknown>) => create(db, table, overrides),
      createList: async (db: Kysely<any>, count: number, overrides?: Record<string, unknown> | ((index: number) => Record<string, unknown>)) => {
        const rows = [];
        for (let index = 0; index < count; index++) rows.push(await create(db, table, typeof overrides === "function" ? overrides(index) : overrides));
        return rows;
      },
    }) as unknown as Factory<DB, any>;
  }
  return Object.freeze(factories) as unknown as Factories<DB>;
}

/** NOT NULL with no database default: the row must carry a value. */
function required(table: TableDefinition, name: string): boolean {
  const column = table.columns.find((candidate) => candidate.name === name)!.definition;
  return column.notNull && column.default === undefined && !column.identity;
}

/** A table whose rows need no values at all (every required column has a default). */
function defaultsCover(table: TableDefinition): boolean {
  return table.columns.every((column) => !required(table, column.name)) && table.foreignKeys.length === 0;
}
