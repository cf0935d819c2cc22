import {
  AliasNode,
  ColumnNode,
  IdentifierNode,
  JoinNode,
  RawNode,
  ReferenceNode,
  SelectionNode,
  TableNode,
  ValueNode,
  sql,
  type OperationNode,
  type SelectQueryNode,
} from "kysely";
import type { TypeMapping } from "../backends/type-mapping.js";
import type { ColumnDefinition } from "./column.js";
import type { Schema } from "./define-schema.js";
import { RelationMarker } from "./load-relation.js";
import type { TableDefinition } from "./table-definition.js";

/** How one result value is read back: a schema column's value, or a loaded relation's JSON. */
export type ReadEntry = { readonly kind: "column"; readonly column: ColumnDefinition } | { readonly kind: "relation"; readonly plan: RelationPlan };

/** A loaded relation's JSON: an array of objects (`many`) or one object or null (`one`), and how each key reads back. */
export interface RelationPlan {
  readonly kind: "many" | "one";
  readonly keys: ReadonlyArray<readonly [string, ReadEntry | undefined]>;
}

/** The select list with loaded relations turned into SQL, and what its result columns need. */
export interface ExpandedSelect {
  readonly node: SelectQueryNode;
  readonly plan: ReadonlyMap<string, ReadEntry>;
}

type Scope = ReadonlyArray<{ readonly alias: string; readonly table: TableDefinition }>;
const AGGREGATES_OF_A_COLUMN = new Set(["min", "max"]);

/**
 * Looks at a select's top-level selections only (never the whole query, which would cost
 * every query): `loadMany()` / `loadOne()` markers become the dialect's JSON aggregation, and
 * `min()` / `max()` of a schema column, which SQLite returns untyped, are planned to be read
 * as that column. Undefined when the select has neither.
 */
export function expandSelect(node: SelectQueryNode, schema: Schema, mapping: TypeMapping): ExpandedSelect | undefined {
  const selections = node.selections;
  if (selections === undefined || !selections.some((selection) => isMarker(aliased(selection.selection)) || isColumnAggregate(aliased(selection.selection)))) return undefined;
  const scope = scopeOf(node, schema);
  const plan = new Map<string, ReadEntry>();
  const rewritten = selections.map((selection) => {
    const item = selection.selection;
    if (!AliasNode.is(item) || !IdentifierNode.is(item.alias)) return selection;
    const name = item.alias.name;
    if (isMarker(item.node)) {
      const { expression, plan: relation } = expandRelation(markerOf(item.node), schema, mapping);
      plan.set(name, { kind: "relation", plan: relation });
      return SelectionNode.create(AliasNode.create(expression, item.alias));
    }
    if (isColumnAggregate(item.node)) {
      const column = resolve(scope, (item.node as unknown as { aggregated: readonly OperationNode[] }).aggregated[0]!);
      if (column !== undefined && mapping.decodes(column.type)) plan.set(name, { kind: "column", column });
    }
    return selection;
  });
  return { node: { ...node, selections: rewritten }, plan };
}

/** A relation's subquery → `(select json_agg-like(…) from (subquery) as agg)`, with nested relations expanded first. */
function expandRelation(marker: RelationMarker, schema: Schema, mapping: TypeMapping): { expression: RawNode; plan: RelationPlan } {
  const query = marker.query as SelectQueryNode;
  const scope = scopeOf(query, schema);
  const columns: Array<{ name: string; selection: SelectionNode; entry: ReadEntry | undefined }> = [];
  const given = query.selections ?? [];
  const selections = given.length > 0 ? given : [SelectionNode.createSelectAllFromTable(TableNode.create(marker.relation.target.$name))];
  for (const selection of selections) {
    const item = selection.selection;
    const all = item.kind === "SelectAllNode" ? scope : ReferenceNode.is(item) && item.column.kind === "SelectAllNode" ? scope.filter((entry) => entry.alias === item.table?.table.identifier.name) : undefined;
    if (all !== undefined) {
      for (const { alias, table } of all) {
        for (const column of table.columns) {
          columns.push({ name: column.name, selection: SelectionNode.create(ReferenceNode.create(ColumnNode.create(column.name), TableNode.create(alias))), entry: { kind: "column", column: column.definition } });
        }
      }
      continue;
    }
    if (AliasNode.is(item) && IdentifierNode.is(item.alias) && isMarker(item.node)) {
      const nested = expandRelation(markerOf(item.node), schema, mapping);
      columns.push({ name: item.alias.name, selection: SelectionNode.create(AliasNode.create(nested.expression, item.alias)), entry: { kind: "relation", plan: nested.plan } });
      continue;
    }
    const name = outputName(item);
    if (name === undefined) throw new TypeError(`a loaded relation's selection needs a name: alias it with .as("…")`);
    const column = resolve(scope, AliasNode.is(item) ? item.node : item);
    columns.push({ name, selection, entry: column === undefined ? undefined : { kind: "column", column } });
  }
  const subquery = { ...query, selections: columns.map((column) => column.selection) };
  const agg = (name: string) => sql.id("agg", name);
  const object = mapping.jsonObject(
    columns.map(({ name, entry }) => [name, entry?.kind === "relation" ? mapping.jsonEmbed(agg(name)) : mapping.jsonValue(agg(name), entry?.column.type)] as const),
  );
  const from = { toOperationNode: () => subquery };
  const expression =
    marker.relation.kind === "many"
      ? sql`(select ${mapping.jsonArrayAggregate(object)} from (${from}) as ${sql.id("agg")})`
      : sql`(select ${object} from (${from}) as ${sql.id("agg")} limit 1)`;
  return { expression: expression.toOperationNode(), plan: { kind: marker.relation.kind, keys: columns.map(({ name, entry }) => [name, entry] as const) } };
}

function aliased(node: OperationNode): OperationNode {
  return AliasNode.is(node) ? node.node : node;
}

function isMarker(node: OperationNode): boolean {
  if (!RawNode.is(node) || node.parameters.length !== 1) return false;
  const parameter = node.parameters[0]!;
  return ValueNode.is(parameter) && parameter.value instanceof RelationMarker;
}

function markerOf(node: OperationNode): RelationMarker {
  return ((node as RawNode).parameters[0] as ValueNode).value as RelationMarker;
}

function isColumnAggregate(node: OperationNode): boolean {
  if (node.kind !== "AggregateFunctionNode") return false;
  const { func, aggregated, over } = node as unknown as { func: string; aggregated: readonly OperationNode[]; over?: unknown };
  return AGGREGATES_OF_A_COLUMN.has(func.toLowerCase()) && aggregated.length === 1 && over === undefined && (ReferenceNode.is(aggregated[0]!) || ColumnNode.is(aggregated[0]!));
}

/** The tables a select reads from (by alias), as far as the schema declares them. */
function scopeOf(node: SelectQueryNode, schema: Schema): Scope {
  const scope: Array<{ alias: string; table: TableDefinition }> = [];
  for (const item of [...(node.from?.froms ?? []), ...(node.joins ?? []).map((join: JoinNode) => join.table)]) {
    if (TableNode.is(item)) {
      const table = schema.table(item.table.identifier.name);
      if (table !== undefined) scope.push({ alias: table.name, table });
    } else if (AliasNode.is(item) && TableNode.is(item.node) && IdentifierNode.is(item.alias)) {
      const table = schema.table(item.node.table.identifier.name);
      if (table !== undefined) scope.push({ alias: item.alias.name, table });
    }
  }
  return scope;
}

/** The schema column a reference names, when it is one. */
function resolve(scope: Scope, node: OperationNode): ColumnDefinition | undefined {
  let qualifier: string | undefined;
  let name: string | undefined;
  if (ReferenceNode.is(node) && ColumnNode.is(node.column)) {
    qualifier = node.table?.table.identifier.name;
    name = node.column.column.name;
  } else if (ColumnNode.is(node)) {
    name = node.column.name;
  }
  if (name === undefined) return undefined;
  for (const entry of scope) {
    if (qualifier !== undefined && entry.alias !== qualifier) continue;
    const column = entry.table.columns.find((candidate) => candidate.name === name);
    if (column !== undefined) return column.definition;
  }
  return undefined;
}

function outputName(node: OperationNode): string | undefined {
  if (AliasNode.is(node) && IdentifierNode.is(node.alias)) return node.alias.name;
  if (ReferenceNode.is(node) && ColumnNode.is(node.column)) return node.column.column.name;
  if (ColumnNode.is(node)) return node.column.name;
  return undefined;
}
