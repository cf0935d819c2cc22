import type { MigrationOperations } from "./migration-operations.js";
import type { Revision } from "./revision-graph/revision.js";

/**
 * A revision loaded from the migrations folder (a TypeScript module or a `.sql` file): what
 * the graph needs, plus where it came from, its checksum and how to run it.
 */
export interface RevisionScript extends Revision {
  /** File path, relative to the migrations folder. */
  readonly path: string;
  /** sha256 of the file's content (line endings normalised). */
  readonly checksum: string;
  readonly transactional: boolean;
  up(op: MigrationOperations): Promise<void>;
  /** Undefined when the revision cannot be downgraded. */
  readonly down: ((op: MigrationOperations) => Promise<void>) | undefined;
}
