import type { PortableType } from "../../schema/portable-type.js";
import type { ColumnModel, DefaultModel, ForeignKeyModel, IndexModel } from "../../schema/schema-model.js";
import type { ColumnChanges } from "../../backends/table-change.js";
import type { Operation } from "./operation.js";

/**
 * One operation as a line (or a few) of revision source calling the `op` API, the way a
 * person would write it: `await op.addColumn("agents", { name: "schedule", type: "text" });`.
 * Operations the API takes only as data are written as `await op.apply({ … })`. Pure.
 */
export function renderOperation(operation: Operation): string {
  const s = JSON.stringify;
  switch (operation.kind) {
    case "createTable": {
      const table = operation.table;
      const lines = [`await op.createTable(${s(table.name)}, {`, "  columns: ["];
      for (const column of table.columns) lines.push(`    ${columnLiteral(column)},`);
      lines.push("  ],");
      if (table.primaryKey.length > 0) lines.push(`  primaryKey: ${literal(table.primaryKey)},`);
      if (table.uniques.length > 0) lines.push(`  uniques: ${literal(table.uniques)},`);
      if (table.foreignKeys.length > 0) {
        lines.push("  foreignKeys: [");
        for (const fk of table.foreignKeys) lines.push(`    ${foreignKeyLiteral(fk)},`);
        lines.push("  ],");
      }
      if (table.indexes.length > 0) {
        lines.push("  indexes: [");
        for (const index of table.indexes) lines.push(`    ${indexLiteral(index)},`);
        lines.push("  ],");
      }
      if (table.checks.length > 0) lines.push(`  checks: ${literal(table.checks)},`);
      lines.push("});");
      return lines.join("\n");
    }
    case "dropTable": return `await op.dropTable(${s(operation.name)});`;
    case "renameTable": return `await op.renameTable(${s(operation.from)}, ${s(operation.to)});`;
    case "renameColumn": return `await op.renameColumn(${s(operation.table)}, ${s(operation.from)}, ${s(operation.to)});`;
    case "addColumn": return `await op.addColumn(${s(operation.table)}, ${columnLiteral(operation.column)});`;
    case "dropColumn": return `await op.dropColumn(${s(operation.table)}, ${s(operation.name)});`;
    case "alterColumn": return `await op.alterColumn(${s(operation.table)}, ${s(operation.name)}, ${changesLiteral(operation.changes)});`;
    case "createIndex": {
      const { index } = operation;
      return `await op.createIndex(${s(operation.table)}, ${indexLiteral(index)});`;
    }
    case "dropIndex": return `await op.dropIndex(${s(operation.table)}, ${s(operation.name)});`;
    case "addForeignKey": return `await op.addForeignKey(${s(operation.table)}, ${foreignKeyLiteral(operation.foreignKey)});`;
    case "dropForeignKey": return `await op.dropForeignKey(${s(operation.table)}, ${literal(operation.columns)});`;
    case "addUnique": return `await op.addUnique(${s(operation.table)}, ${literal(operation.columns)});`;
    case "dropUnique": return `await op.dropUnique(${s(operation.table)}, ${literal(operation.columns)});`;
    case "execute": return `await op.execute(${s(operation.sql)});`;
    case "bulkInsert": return `await op.bulkInsert(${s(operation.table)}, ${literal(operation.rows)});`;
  }
}

/** A whole `up` or `down` body; an empty list renders a comment saying so. */
export function renderOperations(operations: readonly Operation[]): string {
  return operations.length === 0 ? "// no changes" : operations.map(renderOperation).join("\n");
}

function columnLiteral(column: ColumnModel): string {
  const parts = [`name: ${JSON.stringify(column.name)}`, `type: ${typeLiteral(column.type)}`];
  if (!column.nullable) parts.push("nullable: false");
  if (column.default !== undefined) parts.push(`default: ${defaultLiteral(column.default)}`);
  if (column.identity) parts.push("identity: true");
  return `{ ${parts.join(", ")} }`;
}

function changesLiteral(changes: ColumnChanges): string {
  const parts: string[] = [];
  if (changes.type !== undefined) parts.push(`type: ${typeLiteral(changes.type)}`);
  if (changes.nullable !== undefined) parts.push(`nullable: ${changes.nullable}`);
  if (changes.default !== undefined) parts.push(`default: ${changes.default === null ? "null" : defaultLiteral(changes.default)}`);
  return `{ ${parts.join(", ")} }`;
}

function foreignKeyLiteral(fk: ForeignKeyModel): string {
  const parts = [`columns: ${literal(fk.columns)}`, `referencedTable: ${JSON.stringify(fk.referencedTable)}`, `referencedColumns: ${literal(fk.referencedColumns)}`];
  if (fk.onDelete !== "no action") parts.push(`onDelete: ${JSON.stringify(fk.onDelete)}`);
  if (fk.onUpdate !== "no action") parts.push(`onUpdate: ${JSON.stringify(fk.onUpdate)}`);
  return `{ ${parts.join(", ")} }`;
}

function typeLiteral(type: PortableType): string {
  return Object.keys(type).length === 1 && type.kind !== "unknown" ? JSON.stringify(type.kind) : literal(type);
}

function defaultLiteral(value: DefaultModel): string {
  switch (value.kind) {
    case "now": return '"now"';
    case "randomUuid": return '"randomUuid"';
    case "sql": return `{ sql: ${JSON.stringify(value.sql)} }`;
    case "value": return `{ value: ${literal(value.value)} }`;
  }
}

/** A JS literal: JSON with unquoted keys where they are identifiers, spaced like hand-written code. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, inner]) => inner !== undefined);
    if (entries.length === 0) return "{}";
    return `{ ${entries.map(([key, inner]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${literal(inner)}`).join(", ")} }`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** An index as `op.createIndex` takes it: `unique` only when true, options only when given. */
function indexLiteral(index: IndexModel): string {
  const { unique, ...rest } = index;
  return literal(unique ? index : rest);
}
