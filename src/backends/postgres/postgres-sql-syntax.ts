import type { SqlSyntax } from "../sql-syntax.js";

/**
 * PostgreSQL's rules.
 *
 * @example
 * ```ts
 * splitSqlStatements("DO $$ BEGIN PERFORM 1; END $$; SELECT 2", postgresSqlSyntax).length; // 2
 * ```
 */
export const postgresSqlSyntax: SqlSyntax = Object.freeze({
  dollarQuotes: true,
  nestedBlockComments: true,
  escapeStrings: true,
  bracketIdentifiers: false,
  backtickIdentifiers: false,
});
