import {
  ColumnNode,
  ColumnUpdateNode,
  AliasNode,
  IdentifierNode,
  JoinNode,
  TableNode,
  ValuesNode,
  OperationNodeTransformer,
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
  type DeleteQueryNode,
  type SelectionNode,
  type ReturningNode,
  type ValuesItemNode,
} from "kysely";
import { InvalidValueError } from "../errors.js";
import { parseTableName } from "../backends/table-name.js";
import type { TypeMapping } from "../backends/type-mapping.js";
import type { ColumnDefinition } from "./column.js";
import type { Schema } from "./define-schema.js";
import { VectorParameter } from "./vector-parameter.js";

interface TableInfo {
  readonly name: string;
  readonly columns: ReadonlyMap<string, ColumnDefinition>;
  readonly updateNow: readonly string[];
}

type Scope = ReadonlyArray<{ readonly alias: string; readonly table: TableInfo }>;
type Plan = ReadonlyMap<string, ColumnDefinition>;

/**
 * Makes a schema's values identical on every dialect, as a Kysely plugin (installed by
 * `createEngine(url, { schema })`, inherited by transactions and sessions):
 * - writes: values of schema columns in `insertInto` / `updateTable` are encoded for the
 *   backend (JSON text, vector storage, UUID case), and columns declared `onUpdateNow()`
 *   (`updatedAt` of `timestamps()`) are set on every update that does not set them itself;
 * - reads: result columns that come from schema tables (`selectAll`, plain and aliased
 *   column references, `returning`) are decoded by name (ISO text → Date, 1/0 → boolean,
 *   JSON text → object, int8 text → bigint, …).
 *
 * @example
 * ```ts
 * const engine = createEngine<DB>("sqlite::memory:", { schema });
 * const user = await engine.db.selectFrom("users").selectAll().executeTakeFirstOrThrow();
 * user.createdAt instanceof Date; // true on SQLite too
 * ```
 */
export class SchemaPlugin implements KyselyPlugin {
  readonly schema: Schema;
  readonly mapping: TypeMapping;
  readonly #tables = new Map<string, TableInfo>();
  readonly #plans = new WeakMap<QueryId, Plan>();
  readonly #markers: MarkerTransformer;

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
    this.#markers = new MarkerTransformer(mapping);
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    let result: RootOperationNode = node;
    let plan: Plan | undefined;
    switch (node.kind) {
      case "SelectQueryNode":
        plan = planSelections(node.selections, this.#scope(node.from?.froms, node.joins));
        break;
      case "InsertQueryNode": {
        const table = this.#table(node.into);
        if (table !== undefined) {
          result = this.#encodeInsert(node, table);
          plan = planReturning(node.returning, [{ alias: table.name, table }]);
        }
        break;
      }
      case "UpdateQueryNode": {
        const scope = this.#scope(node.table === undefined ? [] : [node.table], node.joins, node.from?.froms);
        const target = scope[0]?.table;
        if (target !== undefined) {
          result = { ...node, updates: this.#encodeUpdates(node.updates ?? [], target) } satisfies UpdateQueryNode;
          plan = planReturning(node.returning, scope);
        }
        break;
      }
      case "DeleteQueryNode":
        plan = planReturning((node as DeleteQueryNode).returning, this.#scope(node.from.froms, node.joins));
        break;
    }
    if (containsMarker(result)) result = this.#markers.transformNode(result);
    if (plan !== undefined && plan.size > 0) this.#plans.set(queryId, plan);
    return result;
  }

  async transformResult({ queryId, result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const plan = this.#plans.get(queryId);
    if (plan === undefined || result.rows.length === 0) return result;
    const rows = result.rows.map((row) => {
      const decoded: UnknownRow = { ...row };
      for (const [name, column] of plan) {
        if (name in decoded) decoded[name] = this.decode(column, decoded[name]);
      }
      return decoded;
    });
    return { ...result, rows };
  }

  /** A value read from the database → the portable JS value of the column. */
  decode(column: ColumnDefinition, value: unknown): unknown {
    const decoded = this.mapping.decode(column.type, value);
    return column.bigintMode === "number" && typeof decoded === "bigint" ? Number(decoded) : decoded;
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
  insertEncoders(tableName: string, columns: readonly string[]): ReadonlyArray<((value: unknown) => unknown) | undefined> | undefined {
    // As Kysely reads `insertInto("schema.table")`, and as #table() then looks it up: by the table part.
    const table = this.#tables.get(parseTableName(tableName).table);
    if (table === undefined) return [];
    const encoders: Array<((value: unknown) => unknown) | undefined> = [];
    for (const name of columns) {
      const column = table.columns.get(name);
      if (column !== undefined && this.mapping.parameterCast(column.type) !== undefined) return undefined;
      encoders.push(column === undefined ? undefined : (value) => this.#encodeRaw(table, name, column, value));
    }
    return encoders;
  }

  #encodeRaw(table: TableInfo, name: string, column: ColumnDefinition, value: unknown): unknown {
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

function planReturning(returning: ReturningNode | undefined, scope: Scope): Plan | undefined {
  return returning === undefined ? undefined : planSelections(returning.selections, scope);
}

function planSelections(selections: readonly SelectionNode[] | undefined, scope: Scope): Plan | undefined {
  if (selections === undefined || scope.length === 0) return undefined;
  const plan = new Map<string, ColumnDefinition>();
  const all = (tables: Scope) => {
    for (const { table } of tables) for (const [name, column] of table.columns) plan.set(name, column);
  };
  for (const { selection } of selections) {
    if (selection.kind === "SelectAllNode") {
      all(scope);
      continue;
    }
    let output: string | undefined;
    let reference: OperationNode = selection;
    if (selection.kind === "AliasNode") {
      const alias = selection.alias as unknown as { kind: string; name: string };
      if (alias.kind !== "IdentifierNode") continue;
      output = alias.name;
      reference = selection.node;
    }
    if (reference.kind === "ReferenceNode") {
      const { column, table } = reference as unknown as { column: OperationNode; table?: { table: { identifier: { name: string } } } };
      const qualifier = table?.table.identifier.name;
      if (column.kind === "SelectAllNode") {
        all(scope.filter((entry) => entry.alias === qualifier));
        continue;
      }
      const name = (column as unknown as { column: { name: string } }).column.name;
      const found = resolve(scope, qualifier, name);
      if (found !== undefined) plan.set(output ?? name, found);
    } else if (reference.kind === "ColumnNode") {
      const name = (reference as unknown as { column: { name: string } }).column.name;
      const found = resolve(scope, undefined, name);
      if (found !== undefined) plan.set(output ?? name, found);
    }
  }
  return plan;
}

function resolve(scope: Scope, qualifier: string | undefined, name: string): ColumnDefinition | undefined {
  for (const entry of scope) {
    if (qualifier !== undefined && entry.alias !== qualifier) continue;
    const column = entry.table.columns.get(name);
    if (column !== undefined) return column;
  }
  return undefined;
}

// A walk without allocation: most queries hold no vector parameter and skip the transformer.
function containsMarker(node: unknown): boolean {
  if (node === null || typeof node !== "object") return false;
  if (Array.isArray(node)) return node.some(containsMarker);
  if ((node as OperationNode).kind === "ValueNode") return (node as ValueNode).value instanceof VectorParameter;
  if ((node as OperationNode).kind === "PrimitiveValueListNode") return false;
  for (const key in node) {
    if (containsMarker((node as Record<string, unknown>)[key])) return true;
  }
  return false;
}

class MarkerTransformer extends OperationNodeTransformer {
  readonly #mapping: TypeMapping;
  constructor(mapping: TypeMapping) {
    super();
    this.#mapping = mapping;
  }
  protected override transformValue(node: ValueNode): ValueNode {
    if (!(node.value instanceof VectorParameter)) return node;
    const type = { kind: "vector", dimensions: node.value.values.length } as const;
    const parameter = ValueNode.create(this.#mapping.encode(type, node.value.values));
    const cast = this.#mapping.parameterCast(type);
    return (cast === undefined ? parameter : RawNode.create(["cast(", ` as ${cast})`], [parameter])) as unknown as ValueNode;
  }
}

