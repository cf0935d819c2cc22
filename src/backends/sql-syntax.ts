/**
 * The lexical rules that decide where a SQL statement ends: which quotes, comments and
 * bodies can hide a `;`. Each backend declares its own; `splitSqlStatements` reads
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
