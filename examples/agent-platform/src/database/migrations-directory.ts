import { fileURLToPath } from "node:url";
import { loadRevisionScripts, type RevisionScript } from "athanor/migrate";

/** The service's revisions (TypeScript and `.sql`), applied by `migrateToHead` and by `npx athanor upgrade`. */
export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL("../../migrations", import.meta.url));

let loaded: Promise<readonly RevisionScript[]> | undefined;

/**
 * The service's revision scripts, read once per process: start-up migrates with them and
 * the readiness route compares the database with them.
 *
 * @example
 * ```ts
 * const scripts = await serviceRevisions();
 * ```
 */
export function serviceRevisions(): Promise<readonly RevisionScript[]> {
  return (loaded ??= loadRevisionScripts(MIGRATIONS_DIRECTORY));
}
