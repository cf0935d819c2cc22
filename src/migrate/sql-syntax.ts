/**
 * The lexical rules that decide where a SQL statement ends: which quotes, comments and
 * bodies can hide a `;`. Each backend declares its own; {@link splitSqlStatements} reads
 * only these flags, never a dialect name.
 *
 * @example
 * ```ts
 * const statements = splitSqlStatements(script, postgresSqlSyntax);
 * const custom: SqlSyntax = { ...sqliteSqlSyntax, bracketIdentifiers: false };
 * ```
 */
export interface SqlSyntax {
  /** `$$ … $$` and `$tag$ … $tag$` bodies (PostgreSQL functions and DO blocks). */
  readonly dollarQuotes: boolean;
  /** Block comments nest: `/* a /* b *\/ c *\/` is one comment (PostgreSQL). */
  readonly nestedBlockComments: boolean;
  /** `E'…'` strings take backslash escapes, so `E'it\'s'` is one string (PostgreSQL). */
  readonly escapeStrings: boolean;
  /** `[name]` quotes an identifier (SQLite, for SQL Server compatibility). */
  readonly bracketIdentifiers: boolean;
  /** `` `name` `` quotes an identifier (SQLite, for MySQL compatibility). */
  readonly backtickIdentifiers: boolean;
}

/**
 * PostgreSQL's rules. (Kept here until the backends declare their own.)
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

/**
 * SQLite's rules. (Kept here until the backends declare their own.)
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
