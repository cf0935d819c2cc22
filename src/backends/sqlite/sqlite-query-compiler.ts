import { OperatorNode, SqliteQueryCompiler as KyselySqliteQueryCompiler, type BinaryOperationNode, type SelectQueryNode } from "kysely";

const ROW_LOCK_MODIFIERS = new Set(["ForUpdate", "ForShare", "ForKeyShare", "ForNoKeyUpdate", "NoWait", "SkipLocked"]);
const REGEX_OPERATORS: Readonly<Record<string, { sql: string; caseInsensitive: boolean }>> = {
  "~": { sql: "regexp", caseInsensitive: false },
  "!~": { sql: "not regexp", caseInsensitive: false },
  "~*": { sql: "regexp", caseInsensitive: true },
  "!~*": { sql: "not regexp", caseInsensitive: true },
};

/**
 * Kysely's SQLite compiler, with two translations so the same portable query runs on
 * both dialects:
 * - row-lock modifiers (`forUpdate()`, `forShare()`, `skipLocked()`, `noWait()`) compile to
 *   nothing: SQLite has no row locks, and Athanor's write transactions already hold the
 *   database's single write lock (`BEGIN IMMEDIATE`);
 * - PostgreSQL's regular-expression operators compile to SQLite's `REGEXP` (which Athanor
 *   registers on every connection): `where("name", "~", "^a")`, `"!~"`, `"~*"`, `"!~*"`.
 */
export class SqliteQueryCompiler extends KyselySqliteQueryCompiler {
  protected override visitSelectQuery(node: SelectQueryNode): void {
    const modifiers = node.endModifiers;
    if (modifiers === undefined || !modifiers.some((m) => m.modifier !== undefined && ROW_LOCK_MODIFIERS.has(m.modifier))) {
      return super.visitSelectQuery(node);
    }
    const kept = modifiers.filter((m) => m.modifier === undefined || !ROW_LOCK_MODIFIERS.has(m.modifier));
    super.visitSelectQuery({ ...node, endModifiers: kept.length > 0 ? kept : undefined });
  }

  protected override visitBinaryOperation(node: BinaryOperationNode): void {
    const regex = OperatorNode.is(node.operator) ? REGEX_OPERATORS[node.operator.operator] : undefined;
    if (regex === undefined) return super.visitBinaryOperation(node);
    this.visitNode(node.leftOperand);
    this.append(` ${regex.sql} `);
    if (!regex.caseInsensitive) return this.visitNode(node.rightOperand);
    // PostgreSQL's embedded option `(?i)`, which the registered regexp() understands too.
    this.append("('(?i)' || ");
    this.visitNode(node.rightOperand);
    this.append(")");
  }
}
