import type { Engine } from "athanor";
import { createMigrator, loadRevisionScripts, type MigrationRunResult } from "athanor/migrate";
import { MIGRATIONS_DIRECTORY, serviceRevisions } from "./migrations-directory.js";

/**
 * Applies every pending revision, each in its own transaction, under the migration lock (so
 * several processes starting at once apply each revision once). Throws the failing step's
 * error; what ran before it stays applied.
 *
 * @example
 * ```ts
 * const { steps } = await migrateToHead(engine); // [{ revision, status: "applied", durationMillis }]
 * ```
 */
export async function migrateToHead(engine: Engine, directory: string = MIGRATIONS_DIRECTORY): Promise<MigrationRunResult> {
  const scripts = directory === MIGRATIONS_DIRECTORY ? await serviceRevisions() : await loadRevisionScripts(directory);
  const migrator = createMigrator(engine, { scripts: [...scripts], directory });
  const result = await migrator.upgrade("head");
  if (!result.ok) throw result.error;
  return result;
}
