import { sql, type CompiledQuery, type Kysely, type OperationNode, type QueryResult } from "kysely";
import type { DeclaredConstraint } from "./constraint-catalog.js";

/** Runs one probe query on the connection whose statement failed (inside its transaction, if any). */
export type RunProbe = (query: CompiledQuery) => Promise<QueryResult<unknown>>;

type Node = OperationNode & Record<string, any>;

/**
 * Which of several foreign keys a failed write violated, when the database does not say
 * (SQLite): for an INSERT or UPDATE, the keys whose new values have no parent row (one
 * indexed lookup per key and row); for a DELETE, the keys whose child rows reference a row
 * the DELETE matched. Probes run on the failing statement's connection, so they see its
 * transaction. Returns the one foreign key found, or `undefined` when that cannot be told
 * (values that are expressions, raw SQL, several violated at once).
 *
 * @example
 * ```ts
 * const foreignKey = await probeForeignKey(candidates, statement, db, (query) => connection.executeQuery(query));
 * ```
 */
export async function probeForeignKey(candidates: readonly DeclaredConstraint[], statement: CompiledQuery, db: Kysely<any>, run: RunProbe): Promise<DeclaredConstraint | undefined> {
  const node = statement.query as Node;
  const violated: DeclaredConstraint[] = [];
  for (const foreignKey of candidates) {
    const verdict =
      node.kind === "InsertQueryNode" ? await missingParent(foreignKey, insertedRows(node), db, run)
      : node.kind === "UpdateQueryNode" ? await missingParent(foreignKey, updatedRow(node), db, run)
      : node.kind === "DeleteQueryNode" ? await stillReferenced(foreignKey, statement, db, run)
      : undefined;
    if (verdict === undefined) return undefined;
    if (verdict) violated.push(foreignKey);
  }
  return violated.length === 1 ? violated[0] : undefined;
}

/** Rows as column → bound value; `undefined` when a row holds an expression (or the statement is not plain values). */
function insertedRows(node: Node): Array<Map<string, unknown>> | undefined {
  const names = ((node.columns ?? []) as Array<{ column: { name: string } }>).map((column) => column.column.name);
  if (node.values?.kind !== "ValuesNode") return undefined;
  const rows: Array<Map<string, unknown>> = [];
  for (const row of node.values.values as Node[]) {
    const values = new Map<string, unknown>();
    for (const [i, value] of (row.values as unknown[]).entries()) {
      if (row.kind === "PrimitiveValueListNode") values.set(names[i]!, value);
      else if ((value as Node).kind === "ValueNode") values.set(names[i]!, (value as Node).value);
      else if ((value as Node).kind !== "DefaultInsertValueNode") values.set(names[i]!, EXPRESSION);
    }
    rows.push(values);
  }
  return rows;
}

function updatedRow(node: Node): Array<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  for (const update of (node.updates ?? []) as Node[]) values.set(update.column.column.name, update.value.kind === "ValueNode" ? update.value.value : EXPRESSION);
  return [values];
}

const EXPRESSION = Symbol("expression");

/** True when some row gives the key non-null values without a parent row; undefined when a value is an expression. */
async function missingParent(foreignKey: DeclaredConstraint, rows: Array<Map<string, unknown>> | undefined, db: Kysely<any>, run: RunProbe): Promise<boolean | undefined> {
  if (rows === undefined) return undefined;
  for (const row of rows) {
    if (!foreignKey.columns.every((column) => row.has(column))) continue;
    const values = foreignKey.columns.map((column) => row.get(column));
    if (values.includes(EXPRESSION)) return undefined;
    if (values.some((value) => value === null || value === undefined)) continue;
    let query = db.selectFrom(foreignKey.referencedTable!).select(sql<number>`1`.as("found"));
    foreignKey.referencedColumns!.forEach((column, i) => {
      query = query.where(column, "=", values[i]);
    });
    if ((await run(query.limit(1).compile())).rows.length === 0) return true;
  }
  return false;
}

/**
 * True when child rows of this key reference a row the DELETE matches: the DELETE's own SQL
 * and parameters, turned into the SELECT of the referenced columns (`delete from "t" where …`
 * → `select "id" from "t" where …`).
 */
async function stillReferenced(foreignKey: DeclaredConstraint, statement: CompiledQuery, db: Kysely<any>, run: RunProbe): Promise<boolean | undefined> {
  const node = statement.query as Node;
  if (node.returning !== undefined || node.using !== undefined || node.joins !== undefined || node.with !== undefined) return undefined;
  const prefix = /^delete from ("(?:[^"]|"")+"|`(?:[^`]|``)+`)/.exec(statement.sql);
  if (prefix === null) return undefined;
  const referenced = foreignKey.referencedColumns!.map((column) => sql.id(column));
  const matched = sql.raw(`select ${referenced.map((id) => id.compile(db).sql).join(", ")} from ${prefix[1]}${statement.sql.slice(prefix[0].length)}`);
  const columns = sql.join(foreignKey.columns.map((column) => sql.ref(column)));
  const probe = sql<{ found: number }>`select 1 as found from ${sql.table(foreignKey.table)} where (${columns}) in (${matched}) limit 1`.compile(db);
  const result = await run({ ...probe, parameters: [...statement.parameters] });
  return result.rows.length > 0;
}
