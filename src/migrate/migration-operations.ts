import { sql, type Kysely } from "kysely";
import { sqlSyntaxFor } from "../backends/sql-syntax-for.js";
import type { DialectName } from "../engine/database-url.js";
import { splitSqlStatements } from "./split-sql-statements.js";

/**
 * What a revision's `up`/`down` receives: the dialect, a Kysely bound to the revision's
 * transaction (schema builder included: `op.db.schema.createTable(…)`), and raw SQL.
 *
 * @example
 * ```ts
 * async up(op) {
 *   await op.db.schema.alterTable("agents").addColumn("schedule", "text").execute();
 *   if (op.dialect === "postgres") await op.execute("create index concurrently ix_agents_schedule on agents (schedule)");
 * }
 * ```
 */
export interface MigrationOperations {
  readonly dialect: DialectName;
  readonly db: Kysely<any>;
  /** Runs one SQL statement. */
  execute(statement: string): Promise<void>;
  /** Runs a script of several statements, split by the dialect's rules (quotes, comments, `$$` bodies, trigger bodies). */
  executeScript(script: string): Promise<void>;
}

/** The operations object for one revision run. */
export function createMigrationOperations(dialect: DialectName, db: Kysely<any>): MigrationOperations {
  return Object.freeze({
    dialect,
    db,
    execute: async (statement: string) => {
      await sql.raw(statement).execute(db);
    },
    executeScript: async (script: string) => {
      for (const statement of splitSqlStatements(script, sqlSyntaxFor(dialect))) await sql.raw(statement.sql).execute(db);
    },
  });
}
