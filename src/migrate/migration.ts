import type { Revision } from "./revision-graph/revision.js";
import type { MigrationOperations } from "./migration-operations.js";

/**
 * A TypeScript revision: the default export of a file in the migrations folder.
 *
 * @example
 * ```ts
 * // migrations/20261123_1200_a1b2c3d4e5f6_add_agents.ts
 * import { defineMigration } from "athanor/migrate";
 * export default defineMigration({
 *   revision: "a1b2c3d4e5f6",
 *   downRevision: null,
 *   message: "add agents",
 *   async up(op) {
 *     await op.db.schema.createTable("agents").addColumn("id", "text", (c) => c.primaryKey()).execute();
 *   },
 *   async down(op) {
 *     await op.db.schema.dropTable("agents").execute();
 *   },
 * });
 * ```
 */
export interface Migration extends Revision {
  /** Run the revision inside one transaction (default true). False for e.g. `CREATE INDEX CONCURRENTLY`. */
  readonly transactional?: boolean;
  up(op: MigrationOperations): void | Promise<void>;
  down?(op: MigrationOperations): void | Promise<void>;
}

/** Declares a TypeScript revision (typed; validated when the folder is loaded). */
export function defineMigration(migration: Migration): Migration {
  return Object.freeze({ ...migration });
}
