import type { SqlSyntax } from "../sql-syntax.js";

/**
 * SQLite's rules.
 *
 * @example
 * ```ts
 * splitSqlStatements("SELECT [a;b] FROM t; SELECT 2", sqliteSqlSyntax).length; // 2
 * ```
 */
export const sqliteSqlSyntax: SqlSyntax = Object.freeze({
  dollarQuotes: false,
  nestedBlockComments: false,
  escapeStrings: false,
  bracketIdentifiers: true,
  backtickIdentifiers: true,
});
