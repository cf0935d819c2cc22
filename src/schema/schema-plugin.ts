import {
  ColumnNode,
  ColumnUpdateNode,
  AliasNode,
  IdentifierNode,
  JoinNode,
  TableNode,
  ValuesNode,
  PrimitiveValueListNode,
  RawNode,
  ValueListNode,
  ValueNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type InsertQueryNode,
  type UpdateQueryNode,
  type ValuesItemNode,
} from "kysely";
import { InvalidValueError } from "../errors.js";
import { Placeholder } from "../backends/placeholder.js";
import { parseTableName } from "../backends/table-name.js";
import type { TypeMapping } from "../backends/type-mapping.js";
import type { ColumnEncoder } from "../session/insert-many.js";
import type { ColumnDefinition } from "./column.js";
import { decodeReadPlan } from "./decode-read-plan.js";
import type { Schema } from "./define-schema.js";
import { expandSelect, type ReadEntry } from "./read-plan.js";

interface TableInfo {
  readonly name: string;
  readonly columns: ReadonlyMap<string, ColumnDefinition>;
  readonly updateNow: readonly string[];
}

type Scope = ReadonlyArray<{ readonly alias: string; readonly table: TableInfo }>;

/**
 * Marks a plugin whose `transformResult` returns results as they are, except for the queries
 * its `resultWork(queryId)` names: executors skip the call for the others.
 */
export const RESULT_NEUTRAL = Symbol.for("athanor.plugin.result-neutral");

/**
 * The write half of a schema's value policy, as a Kysely plugin (installed by
 * `createEngine(url, { schema })`, inherited by transactions and sessions): values of schema
 * columns in `insertInto` / `updateTable` are encoded for the backend (JSON text, vector
 * storage, UUID case, booleans and timestamps on SQLite), and columns declared
 * `onUpdateNow()` (`updatedAt` of `timestamps()`) are set on every update that does not set
 * them itself. Reads are decoded by the backend from each statement's result columns
 * ({@link ValueDecoders}); this plugin only turns loaded relations (`loadMany()`,
 * `loadOne()`) into SQL and reads their JSON back, and reads `min`/`max` of a column as the
 * column (SQLite returns them untyped).
 *
 * @example
 * ```ts
 * const engine = createEngine("sqlite::memory:", { schema });
 * const user = await engine.db.selectFrom("users").selectAll().executeTakeFirstOrThrow();
 * user.createdAt instanceof Date; // true on SQLite too
 * ```
 */
export class SchemaPlugin implements KyselyPlugin {
  readonly schema: Schema;
  readonly mapping: TypeMapping;
  readonly [RESULT_NEUTRAL] = true;
  readonly #tables = new Map<string, TableInfo>();
  /** What the results of selects with loaded relations or column aggregates need, by query. */
  readonly #readPlans = new WeakMap<QueryId, ReadonlyMap<string, ReadEntry>>();

  constructor(schema: Schema, mapping: TypeMapping) {
    this.schema = schema;
    this.mapping = mapping;
    for (const definition of schema.definitions) {
      this.#tables.set(definition.name, {
        name: definition.name,
        columns: new Map(definition.columns.map((column) => [column.name, column.definition])),
        updateNow: definition.columns.filter((column) => column.definition.updateNow).map((column) => column.name),
      });
    }
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    switch (node.kind) {
      case "SelectQueryNode": {
        const expanded = expandSelect(node, this.schema, this.mapping);
        if (expanded === undefined) return node;
        if (expanded.plan.size > 0) this.#readPlans.set(queryId, expanded.plan);
        return expanded.node;
      }
      case "InsertQueryNode": {
        const table = this.#table(node.into);
        return table === undefined ? node : this.#encodeInsert(node, table);
      }
      case "UpdateQueryNode": {
        const target = this.#scope(node.table === undefined ? [] : [node.table])[0]?.table;
        return target === undefined ? node : ({ ...node, updates: this.#encodeUpdates(node.updates ?? [], target) } satisfies UpdateQueryNode);
      }
      default:
        return node;
    }
  }

  transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const plan = this.#readPlans.get(queryId);
    if (plan !== undefined && result.rows.length > 0) decodeReadPlan(result.rows, plan, this.mapping);
    return Promise.resolve(result);
  }

  /** True when {@link transformResult} has work for this query (a loaded relation, `min`/`max` of a column); executors skip it otherwise. */
  resultWork(queryId: QueryId): boolean {
    return this.#readPlans.has(queryId);
  }

  #encode(table: TableInfo, name: string, column: ColumnDefinition | undefined, node: OperationNode): OperationNode {
    if (column === undefined || !ValueNode.is(node) || node.value === null || node.value === undefined) return node;
    return this.#encodeValue(table, name, column, node.value);
  }

  /**
   * How `session.insertMany()` may send `columns` of `table` as plain parameters: one encoder
   * per column (`undefined`: as is), or `undefined` when a column needs a cast around its
   * parameter, which only a built query carries.
   */
  insertEncoders(tableName: string, columns: readonly string[]): readonly ColumnEncoder[] | undefined {
    // As Kysely reads `insertInto("schema.table")`, and as #table() then looks it up: by the table part.
    const table = this.#tables.get(parseTableName(tableName).table);
    if (table === undefined) return [];
    const encoders: ColumnEncoder[] = [];
    for (const name of columns) {
      const column = table.columns.get(name);
      if (column !== undefined && this.mapping.parameterCast(column.type) !== undefined) return undefined;
      encoders.push(column === undefined ? undefined : this.#columnEncoder(table, name, column));
    }
    return encoders;
  }

  /**
   * {@link #encodeRaw} for one column, as a function of the value alone. `insertMany` calls it
   * once per value (20,000 times for 10,000 rows of two columns): small enough to be inlined
   * there, with the rare cases (a placeholder, a lone surrogate, a refused value) in
   * #encodeRaw, where they make the same errors. A number goes to `mapping.encode` alone, so
   * when the mapping returns finite numbers of the type as they are, so does this encoder,
   * and it says so (`finiteNumbersAsIs`): `insertMany` then skips the call for them.
   */
  #columnEncoder(table: TableInfo, name: string, column: ColumnDefinition): NonNullable<ColumnEncoder> {
    const { mapping } = this;
    const { type } = column;
    const encode = (value: unknown): unknown => {
      if (typeof value === "object" || (typeof value === "string" && !(value as unknown as { isWellFormed(): boolean }).isWellFormed())) return this.#encodeRaw(table, name, column, value);
      try {
        return mapping.encode(type, value);
      } catch {
        return this.#encodeRaw(table, name, column, value);
      }
    };
    return Object.assign(encode, { finiteNumbersAsIs: !mapping.encodesNumbers(type) });
  }

  #encodeRaw(table: TableInfo, name: string, column: ColumnDefinition, value: unknown): unknown {
    // A prepared query's placeholder is encoded when it is bound, like the value it stands for.
    if (value instanceof Placeholder) return value.withEncoder((bound) => (bound === null || bound === undefined ? bound : this.#encodeRaw(table, name, column, bound)));
    // No driver can send a lone surrogate: both would write U+FFFD instead, without a word.
    if (typeof value === "string" && !(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      throw new InvalidValueError(`${table.name}.${name}: the string holds a lone surrogate, which no database stores (it would read back as U+FFFD)`);
    }
    try {
      return this.mapping.encode(column.type, value);
    } catch (error) {
      throw new InvalidValueError(`${table.name}.${name}: ${(error as Error).message}`, { cause: error });
    }
  }

  #encodeValue(table: TableInfo, name: string, column: ColumnDefinition, value: unknown): OperationNode {
    const encoded = this.#encodeRaw(table, name, column, value);
    const cast = this.mapping.parameterCast(column.type);
    const parameter = ValueNode.create(encoded);
    return cast === undefined ? parameter : RawNode.create(["cast(", ` as ${cast})`], [parameter]);
  }

  #encodeInsert(node: InsertQueryNode, table: TableInfo): InsertQueryNode {
    let values = node.values;
    const names = node.columns?.map((column) => column.column.name) ?? [];
    if (values !== undefined && ValuesNode.is(values)) {
      values = ValuesNode.create(values.values.map((item) => this.#encodeRow(item, names, table)));
    }
    const onConflict = node.onConflict?.updates === undefined ? node.onConflict : { ...node.onConflict, updates: this.#encodeUpdates(node.onConflict.updates, table) };
    return { ...node, values, onConflict };
  }

  #encodeRow(item: ValuesItemNode, names: readonly string[], table: TableInfo): ValuesItemNode {
    if (PrimitiveValueListNode.is(item)) {
      const needsNodes = item.values.some((value, i) => value !== null && value !== undefined && this.#needsCast(table, names[i]));
      if (needsNodes) return ValueListNode.create(item.values.map((value, i) => this.#encode(table, names[i]!, table.columns.get(names[i]!), ValueNode.create(value))));
      return PrimitiveValueListNode.create(
        item.values.map((value, i) => {
          const column = table.columns.get(names[i]!);
          if (column === undefined || value === null || value === undefined) return value;
          return (this.#encodeValue(table, names[i]!, column, value) as ValueNode).value;
        }),
      );
    }
    if (ValueListNode.is(item)) return ValueListNode.create(item.values.map((value, i) => this.#encode(table, names[i]!, table.columns.get(names[i]!), value)));
    return item;
  }

  #needsCast(table: TableInfo, name: string | undefined): boolean {
    const column = name === undefined ? undefined : table.columns.get(name);
    return column !== undefined && this.mapping.parameterCast(column.type) !== undefined;
  }

  #encodeUpdates(updates: readonly ColumnUpdateNode[], table: TableInfo): ColumnUpdateNode[] {
    const set = new Set<string>();
    const encoded = updates.map((update) => {
      const name = ColumnNode.is(update.column) ? update.column.column.name : undefined;
      if (name === undefined) return update;
      set.add(name);
      return ColumnUpdateNode.create(update.column, this.#encode(table, name, table.columns.get(name), update.value));
    });
    for (const name of table.updateNow) {
      if (!set.has(name)) encoded.push(ColumnUpdateNode.create(ColumnNode.create(name), RawNode.createWithSql(this.mapping.currentTimestampSql)));
    }
    return encoded;
  }

  #table(node: OperationNode | undefined): TableInfo | undefined {
    if (node === undefined) return undefined;
    return TableNode.is(node) ? this.#tables.get(node.table.identifier.name) : undefined;
  }

  #scope(...lists: Array<readonly OperationNode[] | undefined>): Scope {
    const scope: Array<{ alias: string; table: TableInfo }> = [];
    for (const list of lists) {
      for (const item of list ?? []) {
        const node = JoinNode.is(item) ? item.table : item;
        if (TableNode.is(node)) {
          const table = this.#table(node);
          if (table !== undefined) scope.push({ alias: table.name, table });
        } else if (AliasNode.is(node) && IdentifierNode.is(node.alias)) {
          const table = this.#table(node.node);
          if (table !== undefined) scope.push({ alias: node.alias.name, table });
        }
      }
    }
    return scope;
  }
}
