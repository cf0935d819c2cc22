import type { Revision } from "./revision.js";

/**
 * One revision inside a {@link RevisionGraph}, with its links in both directions and
 * Alembic's markers.
 *
 * @example
 * ```ts
 * const node = graph.nodes.get("d4e5f6a1b2c3")!;
 * node.downRevisions;  // ["b2c3d4e5f6a1", "c3d4e5f6a1b2"]
 * node.isMergePoint;   // true
 * node.record.message; // "merge heads"
 * ```
 */
export interface RevisionNode<R extends Revision = Revision> {
  /** The revision id. */
  readonly id: string;
  /** The record the graph was built from. */
  readonly record: R;
  /** The revisions this one follows, as declared; empty for a base. */
  readonly downRevisions: readonly string[];
  /** The revisions that follow this one, sorted by id; empty for a head. */
  readonly nextRevisions: readonly string[];
  /** Nothing follows it. */
  readonly isHead: boolean;
  /** It follows nothing. */
  readonly isBase: boolean;
  /** More than one revision follows it: the history branches here. */
  readonly isBranchPoint: boolean;
  /** It follows more than one revision: branches merge here. */
  readonly isMergePoint: boolean;
}
