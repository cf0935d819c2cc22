import type { TypeMapping } from "../backends/type-mapping.js";
import type { ColumnDefinition } from "./column.js";
import type { ReadEntry, RelationPlan } from "./read-plan.js";

/** Reads back the planned result columns of rows (loaded relations, `min`/`max` of a column) in place. */
export function decodeReadPlan(rows: ReadonlyArray<Record<string, unknown>>, plan: ReadonlyMap<string, ReadEntry>, mapping: TypeMapping): void {
  for (const row of rows) {
    for (const [name, entry] of plan) {
      if (!(name in row)) continue;
      row[name] = entry.kind === "relation" ? relation(entry.plan, row[name], mapping) : column(entry.column, row[name], mapping, false);
    }
  }
}

function relation(plan: RelationPlan, value: unknown, mapping: TypeMapping): unknown {
  // SQLite returns JSON as text; PostgreSQL's json arrives parsed; nested relations arrive inside their parent's JSON.
  const json = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (json === null || json === undefined) return plan.kind === "many" ? [] : null;
  return plan.kind === "many" ? (json as Array<Record<string, unknown>>).map((item) => object(plan, item, mapping)) : object(plan, json as Record<string, unknown>, mapping);
}

function object(plan: RelationPlan, item: Record<string, unknown>, mapping: TypeMapping): Record<string, unknown> {
  for (const [name, entry] of plan.keys) {
    if (entry === undefined || !(name in item)) continue;
    item[name] = entry.kind === "relation" ? relation(entry.plan, item[name], mapping) : column(entry.column, item[name], mapping, true);
  }
  return item;
}

function column(definition: ColumnDefinition, value: unknown, mapping: TypeMapping, fromJson: boolean): unknown {
  if (value === null || value === undefined) return value;
  const decoded = fromJson ? mapping.decodeJson(definition.type, value) : mapping.decode(definition.type, value);
  return definition.bigintMode === "number" && typeof decoded === "bigint" ? Number(decoded) : decoded;
}
