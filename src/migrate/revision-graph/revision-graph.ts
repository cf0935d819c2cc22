import type { RevisionNode } from "./revision-node.js";
import type { Revision } from "./revision.js";

/**
 * A validated, immutable revision graph: every down-revision exists, ids are unique and
 * there is no cycle. Built by {@link buildRevisionGraph}; planned over by
 * {@link planMigration}. Lists of ids are in the graph's canonical order: every revision
 * after its down-revisions, branches kept together, ties broken by id, so the order does
 * not depend on the order the revisions were loaded in.
 *
 * @example
 * ```ts
 * const graph = buildRevisionGraph(revisions);
 * graph.heads;                    // ["d4e5f6a1b2c3"]
 * graph.bases;                    // ["a1b2c3d4e5f6"]
 * graph.branchPoints;             // ["a1b2c3d4e5f6"]
 * graph.mergePoints;              // ["d4e5f6a1b2c3"]
 * graph.order;                    // ["a1b2c3d4e5f6", "b2c3d4e5f6a1", "c3d4e5f6a1b2", "d4e5f6a1b2c3"]
 * graph.nodes.get("b2c3d4e5f6a1")?.record.message; // "add agents"
 * ```
 */
export interface RevisionGraph<R extends Revision = Revision> {
  /** Every revision by id. */
  readonly nodes: ReadonlyMap<string, RevisionNode<R>>;
  /** Every id in canonical order (bases first, heads last). */
  readonly order: readonly string[];
  /** Revisions nothing follows. More than one means unmerged branches. */
  readonly heads: readonly string[];
  /** Revisions that follow nothing. */
  readonly bases: readonly string[];
  /** Revisions more than one revision follows. */
  readonly branchPoints: readonly string[];
  /** Revisions that follow more than one revision. */
  readonly mergePoints: readonly string[];
}
