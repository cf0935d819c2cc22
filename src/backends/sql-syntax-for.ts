import type { DialectName } from "../engine/database-url.js";
import { postgresSqlSyntax } from "./postgres/postgres-sql-syntax.js";
import type { SqlSyntax } from "./sql-syntax.js";
import { sqliteSqlSyntax } from "./sqlite/sqlite-sql-syntax.js";

/** The lexical rules of a dialect's SQL scripts (where statements end). */
export function sqlSyntaxFor(dialect: DialectName): SqlSyntax {
  return dialect === "postgres" ? postgresSqlSyntax : sqliteSqlSyntax;
}
