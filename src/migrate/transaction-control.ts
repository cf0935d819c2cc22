import type { SqlStatement } from "./split-sql-statements.js";

/**
 * How a script handles transactions itself:
 * - `none`: no `BEGIN`/`COMMIT`/`ROLLBACK` at its top level;
 * - `wrapped`: the whole script is one plain `BEGIN; … COMMIT;` block (`statements` is what is
 *   inside), which means exactly what the migrator's own transaction around a revision means;
 * - `own`: anything else (several blocks, statements outside the block, `BEGIN ISOLATION LEVEL …`,
 *   a `ROLLBACK`): the script must run as written, outside a migrator transaction. `line` is
 *   the first transaction-control statement's.
 */
export type TransactionControl =
  | { readonly kind: "none" }
  | { readonly kind: "wrapped"; readonly statements: readonly SqlStatement[] }
  | { readonly kind: "own"; readonly line: number };

/** What one statement does to the transaction: begins one (plainly or with modes), ends one, or neither. */
export type ControlStatement = "begin" | "begin-with-modes" | "commit" | "commit-other" | "rollback" | undefined;

const LEADING_COMMENTS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/**
 * Classifies one statement (leading comments ignored, any case): PostgreSQL's and SQLite's
 * `BEGIN [WORK | TRANSACTION | DEFERRED | IMMEDIATE | EXCLUSIVE]`, `START TRANSACTION`,
 * `COMMIT`/`END [WORK | TRANSACTION]`, `ROLLBACK`/`ABORT` (not `ROLLBACK TO` a savepoint).
 *
 * @example
 * ```ts
 * controlStatement("-- start\nBEGIN TRANSACTION"); // "begin"
 * controlStatement("ROLLBACK TO SAVEPOINT s1");    // undefined
 * ```
 */
export function controlStatement(sql: string): ControlStatement {
  const words = sql.replace(LEADING_COMMENTS, "").toUpperCase().split(/\s+/).filter((word) => word !== "");
  const [first, ...rest] = words;
  if (first === "BEGIN") {
    if (rest[0] === "ATOMIC") return undefined;
    return rest.every((word) => ["WORK", "TRANSACTION", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"].includes(word)) ? "begin" : "begin-with-modes";
  }
  if (first === "START" && rest[0] === "TRANSACTION") return rest.length === 1 ? "begin" : "begin-with-modes";
  if (first === "COMMIT" || first === "END") return rest.every((word) => word === "WORK" || word === "TRANSACTION") ? "commit" : "commit-other";
  if (first === "ROLLBACK" || first === "ABORT") {
    if (rest.includes("TO") || rest[0] === "PREPARED") return rest[0] === "PREPARED" ? "commit-other" : undefined;
    return "rollback";
  }
  if (first === "PREPARE" && rest[0] === "TRANSACTION") return "commit-other";
  return undefined;
}

/**
 * How a script's statements (from `splitSqlStatements`) handle transactions; see
 * {@link TransactionControl}. Pure.
 *
 * @example
 * ```ts
 * transactionControl(splitSqlStatements("BEGIN;\nALTER TABLE m ADD COLUMN x text;\nCOMMIT;", postgresSqlSyntax));
 * // { kind: "wrapped", statements: [{ sql: "ALTER TABLE m ADD COLUMN x text", line: 2 }] }
 * ```
 */
export function transactionControl(statements: readonly SqlStatement[]): TransactionControl {
  const controls = statements.map((statement) => controlStatement(statement.sql));
  const first = controls.findIndex((control) => control !== undefined);
  if (first === -1) return { kind: "none" };
  const last = controls.length - 1;
  const inner = controls.slice(1, last);
  if (first === 0 && controls[0] === "begin" && controls[last] === "commit" && last > 0 && inner.every((control) => control === undefined)) {
    return { kind: "wrapped", statements: statements.slice(1, last) };
  }
  return { kind: "own", line: statements[first]!.line };
}
