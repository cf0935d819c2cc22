import { SchemaDefinitionError } from "../../errors.js";
import { checkIdentifier, type IdentifierKind } from "../../schema/check-identifier.js";
import { checkDefault, checkPortableType } from "../../schema/check-portable-type.js";
import type { ColumnModel, ForeignKeyModel, IndexModel, ReferentialAction } from "../../schema/schema-model.js";
import type { Operation } from "./operation.js";

const ACTIONS: readonly ReferentialAction[] = ["cascade", "set null", "restrict", "no action", "set default"];

/**
 * Checks an operation before any of it becomes SQL: every name (tables, columns, indexes,
 * constraints) with {@link checkIdentifier}, every type with {@link checkPortableType}, every
 * literal default with {@link checkDefault}, referential actions against the five SQL knows.
 * Raw SQL (`execute`, `{ sql }` defaults, checks, the `unknown` type) is the caller's by design.
 * Throws {@link SchemaDefinitionError} naming the operation and what is wrong.
 *
 * @example
 * ```ts
 * checkOperation({ kind: "addColumn", table: "agents", column: { name: "n", type: { kind: "varchar", length: 20 }, nullable: true, default: undefined, identity: false } });
 * ```
 */
export function checkOperation(operation: Operation): Operation {
  const where = `op.${operation.kind}`;
  const name = (value: unknown, kind: IdentifierKind) => checkIdentifier(value, kind, where);
  const names = (values: unknown, kind: IdentifierKind) => {
    if (!Array.isArray(values) || values.length === 0) throw new SchemaDefinitionError(`${where}: expected a non-empty list of ${kind} names`);
    for (const value of values) name(value, kind);
  };
  switch (operation.kind) {
    case "createTable": {
      const table = operation.table;
      name(table.name, "table");
      for (const column of table.columns) checkColumn(column, where);
      if (table.primaryKey.length > 0) names(table.primaryKey, "column");
      for (const unique of table.uniques) names(unique, "column");
      for (const foreignKey of table.foreignKeys) checkForeignKey(foreignKey, where);
      for (const index of table.indexes) checkIndex(index, where);
      for (const check of table.checks) name(check.name, "constraint");
      break;
    }
    case "dropTable":
      name(operation.name, "table");
      break;
    case "renameTable":
      name(operation.from, "table");
      name(operation.to, "table");
      break;
    case "renameColumn":
      name(operation.table, "table");
      name(operation.from, "column");
      name(operation.to, "column");
      break;
    case "createIndex":
      name(operation.table, "table");
      checkIndex(operation.index, where);
      break;
    case "dropIndex":
      name(operation.table, "table");
      name(operation.name, "index");
      break;
    case "execute":
      break;
    case "bulkInsert":
      name(operation.table, "table");
      for (const row of operation.rows) for (const key of Object.keys(row)) name(key, "column");
      break;
    case "addColumn":
      name(operation.table, "table");
      checkColumn(operation.column, where);
      break;
    case "dropColumn":
      name(operation.table, "table");
      name(operation.name, "column");
      break;
    case "alterColumn": {
      name(operation.table, "table");
      name(operation.name, "column");
      const { type, default: value } = operation.changes;
      const at = `${where} "${operation.name}"`;
      if (type !== undefined) checkPortableType(type, at);
      if (value !== undefined && value !== null) checkDefault(type ?? operation.previous?.type ?? { kind: "text" }, value, at);
      break;
    }
    case "addForeignKey":
      name(operation.table, "table");
      checkForeignKey(operation.foreignKey, where);
      break;
    case "dropForeignKey":
    case "addUnique":
    case "dropUnique":
      name(operation.table, "table");
      names(operation.columns, "column");
      break;
  }
  return operation;
}

function checkColumn(column: ColumnModel, where: string): void {
  checkIdentifier(column.name, "column", where);
  const at = `${where} column "${column.name}"`;
  const type = checkPortableType(column.type, at);
  if (column.default !== undefined) checkDefault(type, column.default, at);
}

function checkForeignKey(foreignKey: ForeignKeyModel, where: string): void {
  for (const column of foreignKey.columns) checkIdentifier(column, "column", where);
  checkIdentifier(foreignKey.referencedTable, "table", where);
  for (const column of foreignKey.referencedColumns) checkIdentifier(column, "column", where);
  if (foreignKey.columns.length === 0 || foreignKey.columns.length !== foreignKey.referencedColumns.length) {
    throw new SchemaDefinitionError(`${where}: a foreign key needs as many referenced columns as columns, and at least one`);
  }
  for (const action of [foreignKey.onDelete, foreignKey.onUpdate]) {
    if (!ACTIONS.includes(action)) throw new SchemaDefinitionError(`${where}: referential action ${JSON.stringify(action)} is not one of ${ACTIONS.join(", ")}`);
  }
}

function checkIndex(index: IndexModel, where: string): void {
  checkIdentifier(index.name, "index", where);
  if (!Array.isArray(index.columns) || index.columns.length === 0) throw new SchemaDefinitionError(`${where}: index "${index.name}" needs at least one column`);
  for (const column of index.columns) checkIdentifier(column, "column", where);
  for (const [option, word] of [["method", index.method], ["operatorClass", index.operatorClass], ...Object.keys(index.with ?? {}).map((name) => ["with", name])] as const) {
    if (word !== undefined && !/^[a-z_][a-z0-9_]*$/i.test(word)) throw new SchemaDefinitionError(`${where}: index "${index.name}" ${option} "${word}" is not a plain SQL name`);
  }
  for (const [name, value] of Object.entries(index.with ?? {})) {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new SchemaDefinitionError(`${where}: index "${index.name}" with.${name} must be a finite number`);
  }
}
