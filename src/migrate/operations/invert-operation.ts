import type { Operation } from "./operation.js";

/**
 * The operation that undoes `operation`, or `undefined` when it cannot be known from the
 * operation alone (a drop without what was dropped, an `execute` without `reverseSql`, a
 * bulk insert). Pure.
 *
 * @example
 * ```ts
 * invertOperation({ kind: "renameTable", from: "agent", to: "agents" }); // { kind: "renameTable", from: "agents", to: "agent" }
 * ```
 */
export function invertOperation(operation: Operation): Operation | undefined {
  switch (operation.kind) {
    case "createTable": return { kind: "dropTable", name: operation.table.name, table: operation.table };
    case "dropTable": return operation.table === undefined ? undefined : { kind: "createTable", table: operation.table };
    case "renameTable": return { kind: "renameTable", from: operation.to, to: operation.from };
    case "renameColumn": return { kind: "renameColumn", table: operation.table, from: operation.to, to: operation.from };
    case "addColumn": return { kind: "dropColumn", table: operation.table, name: operation.column.name, column: operation.column };
    case "dropColumn": return operation.column === undefined ? undefined : { kind: "addColumn", table: operation.table, column: operation.column };
    case "alterColumn":
      return operation.previous === undefined ? undefined : { kind: "alterColumn", table: operation.table, name: operation.name, changes: operation.previous, previous: operation.changes };
    case "createIndex": return { kind: "dropIndex", table: operation.table, name: operation.index.name, index: operation.index };
    case "dropIndex": return operation.index === undefined ? undefined : { kind: "createIndex", table: operation.table, index: operation.index };
    case "addForeignKey": return { kind: "dropForeignKey", table: operation.table, columns: operation.foreignKey.columns, foreignKey: operation.foreignKey };
    case "dropForeignKey": return operation.foreignKey === undefined ? undefined : { kind: "addForeignKey", table: operation.table, foreignKey: operation.foreignKey };
    case "addUnique": return { kind: "dropUnique", table: operation.table, columns: operation.columns };
    case "dropUnique": return { kind: "addUnique", table: operation.table, columns: operation.columns };
    case "execute": return operation.reverseSql === undefined ? undefined : { kind: "execute", sql: operation.reverseSql, reverseSql: operation.sql };
    case "bulkInsert": return undefined;
  }
}

/** Inverts a list: the inverses in reverse order, or `undefined` when one cannot be inverted. */
export function invertOperations(operations: readonly Operation[]): Operation[] | undefined {
  const inverted: Operation[] = [];
  for (const operation of [...operations].reverse()) {
    const inverse = invertOperation(operation);
    if (inverse === undefined) return undefined;
    inverted.push(inverse);
  }
  return inverted;
}
