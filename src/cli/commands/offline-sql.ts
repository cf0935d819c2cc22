import { parseDatabaseUrl, type DialectName } from "../../engine/database-url.js";
import { ConfigurationError } from "../../errors.js";
import { loadRevisionScripts } from "../../migrate/load-revision-scripts.js";
import type { MigrationDirection } from "../../migrate/revision-graph/migration-plan.js";
import { renderMigrationSql } from "../../migrate/render-migration-sql.js";
import type { CliContext } from "../cli-context.js";

/** Flags shared by `upgrade` and `downgrade` for offline SQL. */
export const OFFLINE_FLAGS = {
  sql: { value: false, help: "print the SQL instead of running it (no database connection)" },
  from: { value: true, help: "with --sql: the revision the database is at (default base for upgrade, heads for downgrade)" },
  dialect: { value: true, help: "with --sql: postgres or sqlite (default: the configured URL's)" },
  pgvector: { value: false, help: "with --sql for PostgreSQL: the target has pgvector (vector(n) columns and pgvector indexes; offline cannot probe)" },
} as const;

/** `--sql`: prints the migration's SQL for the target dialect without connecting. */
export async function printOfflineSql(context: CliContext, direction: MigrationDirection, target: string): Promise<number> {
  const { url, config, migrationsDirectory } = await context.config();
  const given = context.flags.dialect;
  if (given !== undefined && given !== "postgres" && given !== "sqlite") throw new ConfigurationError(`--dialect must be postgres or sqlite, got "${String(given)}"`);
  const dialect: DialectName = (given as DialectName | undefined) ?? parseDatabaseUrl(url).dialect;
  const text = await renderMigrationSql({
    dialect,
    scripts: await loadRevisionScripts(migrationsDirectory),
    direction,
    target,
    from: typeof context.flags.from === "string" ? context.flags.from : undefined,
    versionTable: config.versionTable,
    pgvector: context.flags.pgvector === true,
  });
  if (context.flags.json) context.output.json({ dialect, direction, target, sql: text });
  else context.output.line(text.trimEnd());
  return 0;
}
