import { SqliteQueryCompiler as KyselySqliteQueryCompiler, type SelectQueryNode } from "kysely";

const ROW_LOCK_MODIFIERS = new Set(["ForUpdate", "ForShare", "ForKeyShare", "ForNoKeyUpdate", "NoWait", "SkipLocked"]);

/**
 * Kysely's SQLite compiler, except that row-lock modifiers (`forUpdate()`, `forShare()`,
 * `skipLocked()`, `noWait()`) compile to nothing: SQLite has no row locks, and Athanor's
 * write transactions already hold the database's single write lock (`BEGIN IMMEDIATE`),
 * so the same portable query runs on both dialects.
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
}
