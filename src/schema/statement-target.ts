import type { CompiledQuery, OperationNode } from "kysely";

/** The table a write statement changes, and the columns it sets to something other than NULL, when that can be read from it. */
export interface StatementTarget {
  readonly kind: "insert" | "update" | "delete";
  readonly table: string;
  /** Columns given a value that is not NULL; `undefined` when unknown (raw SQL). */
  readonly columns: ReadonlySet<string> | undefined;
}

const RAW = /^\s*(insert\s+(?:or\s+\w+\s+)?into|update(?:\s+or\s+\w+)?|delete\s+from)\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)/i;

/**
 * What a compiled statement writes to: read from Kysely's operation node (`insertInto`,
 * `updateTable`, `deleteFrom`), or from the first words of raw SQL. Used to tell which
 * constraint failed where the database does not say (SQLite's foreign keys). Pure.
 *
 * @example
 * ```ts
 * statementTarget(db.insertInto("agents").values({ ownerId, name: "scout" }).compile());
 * // { kind: "insert", table: "agents", columns: Set { "ownerId", "name" } }
 * ```
 */
export function statementTarget(statement: CompiledQuery): StatementTarget | undefined {
  const node = statement.query as OperationNode & Record<string, any>;
  switch (node.kind) {
    case "InsertQueryNode": {
      const table = tableName(node.into);
      if (table === undefined) return undefined;
      return { kind: "insert", table, columns: insertedColumns(node) };
    }
    case "UpdateQueryNode": {
      const table = tableName(node.table);
      if (table === undefined) return undefined;
      const updates = (node.updates ?? []) as Array<{ column: { column: { name: string } }; value: OperationNode & Record<string, any> }>;
      return { kind: "update", table, columns: new Set(updates.filter((update) => !isNull(update.value)).map((update) => update.column.column.name)) };
    }
    case "DeleteQueryNode": {
      const table = tableName(node.from?.froms?.[0]);
      return table === undefined ? undefined : { kind: "delete", table, columns: new Set() };
    }
  }
  const raw = RAW.exec(statement.sql);
  if (raw === null) return undefined;
  const verb = raw[1]!.toLowerCase();
  const table = raw[2]!.startsWith('"') ? raw[2]!.slice(1, -1).replaceAll('""', '"') : raw[2]!;
  return { kind: verb.startsWith("insert") ? "insert" : verb.startsWith("update") ? "update" : "delete", table, columns: undefined };
}

function tableName(node: (OperationNode & Record<string, any>) | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (node.kind === "AliasNode") return tableName(node.node);
  if (node.kind === "TableNode") return node.table?.identifier?.name;
  return undefined;
}

function insertedColumns(node: Record<string, any>): ReadonlySet<string> | undefined {
  const names = ((node.columns ?? []) as Array<{ column: { name: string } }>).map((column) => column.column.name);
  const rows = node.values?.kind === "ValuesNode" ? (node.values.values as Array<Record<string, any>>) : undefined;
  if (rows === undefined) return undefined;
  const given = new Set<string>();
  for (const row of rows) {
    const values: unknown[] = row.values ?? [];
    values.forEach((value, i) => {
      const name = names[i];
      if (name === undefined) return;
      if (row.kind === "PrimitiveValueListNode" ? value !== null && value !== undefined : !isNull(value as OperationNode & Record<string, any>)) given.add(name);
    });
  }
  return given;
}

function isNull(node: (OperationNode & Record<string, any>) | undefined): boolean {
  return node === undefined || node.kind === "DefaultInsertValueNode" || (node.kind === "ValueNode" && (node.value === null || node.value === undefined));
}
