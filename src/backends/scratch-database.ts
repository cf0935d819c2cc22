import type { DatabaseUrl } from "../engine/database-url.js";

/**
 * An empty database of the same kind as an engine's, to run something on and throw away
 * (`athanor adopt` applies a revision chain there to see what schema it makes).
 *
 * @example
 * ```ts
 * const scratch = await engine.backend.createScratchDatabase();
 * const other = createEngine(scratch.url);
 * try { … } finally { await other.dispose(); await scratch.drop(); }
 * ```
 */
export interface ScratchDatabase {
  readonly url: DatabaseUrl;
  /** Removes the database (idempotent). Dispose every engine on it first. */
  drop(): Promise<void>;
}
