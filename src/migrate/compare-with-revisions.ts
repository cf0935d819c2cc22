import { createEngine } from "../engine/create-engine.js";
import { parseDatabaseUrl } from "../engine/database-url.js";
import type { Engine } from "../engine/engine.js";
import { MigrationFailedError } from "../errors.js";
import { introspectSchema } from "../schema/introspect-schema.js";
import type { SchemaModel } from "../schema/schema-model.js";
import { createMigrator } from "./migrator.js";
import type { RevisionScript } from "./revision-script.js";
import { schemaModelDifferences, type CheckSql } from "./schema-model-differences.js";
import { DEFAULT_VERSION_TABLE } from "./version-table.js";

/** What {@link compareWithRevisions} found. */
export interface SchemaComparison {
  /** How the live schema differs from what the revisions make, one sentence each; empty when they match. */
  readonly differences: readonly string[];
  /** What a schema model does not hold, so could not be compared. */
  readonly notCompared: readonly string[];
}

/** Options of {@link compareWithRevisions}. */
export interface CompareWithRevisionsOptions {
  /** An empty database to run the revisions on, instead of one made with `backend.createScratchDatabase()` (for roles without `CREATEDB`). It is not cleaned up. */
  readonly scratchUrl?: string;
  readonly versionTable?: string;
}

/** What introspection does not read, hence what a comparison of schema models cannot vouch for. */
export const NOT_COMPARED: readonly string[] = Object.freeze([
  "row data (seed rows, lookup tables)",
  "views, triggers, functions and procedures",
  "extensions, sequences (other than identity columns), collations, comments and grants",
  "expression and partial indexes",
  "column types outside the portable set, compared by their SQL type name only",
]);

/**
 * Runs revisions (up to `target`) on a scratch database of the engine's kind, reads back the
 * schema they make, and compares it with the engine's live schema (the version table left
 * out): tables, columns, keys, foreign keys, indexes and checks with their SQL. The scratch
 * database is dropped afterwards. Throws `MigrationFailedError` when a revision fails there.
 *
 * @example
 * ```ts
 * const { differences } = await compareWithRevisions(engine, await loadRevisionScripts("./migrations"), "head");
 * if (differences.length > 0) console.log(differences.join("\n"));
 * ```
 */
export async function compareWithRevisions(engine: Engine, scripts: readonly RevisionScript[], target: string, options: CompareWithRevisionsOptions = {}): Promise<SchemaComparison> {
  const versionTable = options.versionTable ?? DEFAULT_VERSION_TABLE;
  const scratch = options.scratchUrl === undefined ? await engine.backend.createScratchDatabase() : { url: parseDatabaseUrl(options.scratchUrl), drop: async () => {} };
  try {
    const scratchEngine = createEngine(scratch.url);
    try {
      const result = await createMigrator(scratchEngine, { scripts, versionTable, lock: false }).upgrade(target);
      if (!result.ok) {
        const failed = result.steps.find((step) => step.status === "failed");
        throw new MigrationFailedError(`the revisions do not run on an empty ${engine.dialect} database: ${failed?.revision} (${failed?.path}): ${result.error?.message}`, { cause: result.error });
      }
      const [expected, live] = await Promise.all([readSchema(scratchEngine, versionTable), readSchema(engine, versionTable)]);
      return { differences: schemaModelDifferences(expected.model, live.model, { expected: expected.checkSql, live: live.checkSql }), notCompared: NOT_COMPARED };
    } finally {
      await scratchEngine.dispose();
    }
  } finally {
    await scratch.drop();
  }
}

async function readSchema(engine: Engine, versionTable: string): Promise<{ model: SchemaModel; checkSql: CheckSql }> {
  const model = await introspectSchema(engine);
  const catalog = await engine.backend.typeMapping.readCatalog(engine.db);
  return {
    model: { tables: model.tables.filter((table) => table.name !== versionTable) },
    checkSql: (table, name) => catalog.find((entry) => entry.name === table)?.checks.find((check) => check.name === name)?.sql,
  };
}
