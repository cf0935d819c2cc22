import { Kysely } from "kysely";
import { createOfflineDialect } from "../backends/offline-dialect.js";
import type { DialectName } from "../engine/database-url.js";
import { NotSupportedError } from "../errors.js";
import { createMigrationOperations } from "./migration-operations.js";
import { singleLine } from "./single-line.js";
import type { RevisionScript } from "./revision-script.js";
import { appliedFromHeads } from "./revision-graph/applied-from-heads.js";
import { buildRevisionGraph } from "./revision-graph/build-revision-graph.js";
import type { MigrationDirection } from "./revision-graph/migration-plan.js";
import { planMigration } from "./revision-graph/plan-migration.js";
import { resolveTarget } from "./revision-graph/resolve-target.js";
import { DEFAULT_VERSION_TABLE, VersionTable } from "./version-table.js";

/** Options of {@link renderMigrationSql}. */
export interface RenderMigrationSqlOptions {
  readonly dialect: DialectName;
  readonly scripts: readonly RevisionScript[];
  readonly direction: MigrationDirection;
  readonly target: string;
  /** Where the database is assumed to be: `base` (default for upgrades) or a revision/`head`. */
  readonly from?: string;
  readonly versionTable?: string;
  /**
   * PostgreSQL: the target database has pgvector. Offline SQL cannot ask, so without this
   * vectors render as `real[]` (what a server without pgvector gets) and pgvector indexes are
   * left out; with it, `create extension if not exists vector`, `vector(n)` and the indexes.
   */
  readonly pgvector?: boolean;
}

/**
 * Offline mode (`athanor upgrade head --sql`): the SQL a migration would run, for a DBA or
 * a deploy pipeline, without connecting to a database. Revisions run against a dialect
 * that records statements with literal values; queries answer no rows, so a revision that
 * decides what to do from data it reads cannot be rendered faithfully.
 *
 * @example
 * ```ts
 * const text = await renderMigrationSql({ dialect: "postgres", scripts, direction: "upgrade", target: "head" });
 * ```
 */
export async function renderMigrationSql(options: RenderMigrationSqlOptions): Promise<string> {
  const graph = buildRevisionGraph(options.scripts);
  const from = options.from ?? (options.direction === "upgrade" ? "base" : "heads");
  const applied = from === "base" ? [] : appliedFromHeads(graph, resolveTarget(graph, from));
  const plan = planMigration(graph, { applied, target: options.target, direction: options.direction });
  const statements: string[] = [];
  const db = new Kysely<any>({ dialect: createOfflineDialect(options.dialect, (statement) => statements.push(statement)) });
  const table = new VersionTable(options.versionTable ?? DEFAULT_VERSION_TABLE);
  const header = `athanor ${options.direction} ${from} -> ${options.target} (${options.dialect}), generated ${new Date().toISOString()}`;
  const out: string[] = [`-- ${singleLine(header)}`, ""];
  const flush = (): void => {
    for (const statement of statements.splice(0)) out.push(`${statement.trim().replace(/;\s*$/, "")};`);
  };
  await table.ensure(db);
  flush();
  for (const step of plan.steps) {
    const script = step.record;
    const action = step.direction === "upgrade" ? script.up : script.down;
    if (action === undefined) throw new NotSupportedError(`revision ${script.revision} (${script.path}) has no down(); it cannot be downgraded`);
    out.push("", `-- ${singleLine(`${step.direction} ${script.revision}: ${script.message ?? ""} (${script.path})`)}`);
    if (script.transactional) statements.push("begin");
    await action(createMigrationOperations(options.dialect, db, { offline: true, assumePgvector: options.pgvector ?? false }));
    if (step.direction === "upgrade") {
      await table.insert(db, {
        revision: script.revision,
        message: script.message ?? null,
        checksum: script.checksum,
        state: "applied",
        appliedAt: new Date().toISOString(),
        durationMillis: 0,
        path: script.path,
      });
    } else {
      await table.delete(db, script.revision);
    }
    if (script.transactional) statements.push("commit");
    flush();
  }
  return `${out.join("\n")}\n`;
}
