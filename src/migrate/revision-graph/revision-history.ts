import { headsWithin } from "./current-heads.js";
import type { RevisionGraph } from "./revision-graph.js";
import type { RevisionNode } from "./revision-node.js";
import type { Revision } from "./revision.js";
import { validateAppliedRevisions } from "./validate-applied-revisions.js";

/**
 * One line of `history`: a revision with its head/base/branch/merge markers and, when the
 * applied revisions were given, whether it is applied and a current head.
 *
 * @example
 * ```ts
 * const entry = revisionHistory(graph, { applied: ["a1"] })[0]!;
 * `${entry.downRevisions.join(", ") || "<base>"} -> ${entry.id}${entry.isHead ? " (head)" : ""}${entry.isMergePoint ? " (mergepoint)" : ""}`;
 * // "b1, c1 -> m1 (head) (mergepoint)"
 * ```
 */
export interface HistoryEntry<R extends Revision = Revision> extends RevisionNode<R> {
  /** Applied to the database (false when no applied revisions were given). */
  readonly isApplied: boolean;
  /** A current head of the database: applied, and nothing applied follows it. */
  readonly isCurrent: boolean;
}

/**
 * The revisions from the heads down to the bases (the reverse of the canonical order, so
 * each revision is listed before the ones it builds on and branches stay together). Pass
 * the applied revisions to mark them; they are validated first.
 *
 * @example
 * ```ts
 * // a1 <- b1 <- m1, a1 <- c1 <- m1
 * revisionHistory(graph).map((entry) => entry.id); // ["m1", "c1", "b1", "a1"]
 * revisionHistory(graph, { applied: ["a1", "b1"] }).filter((entry) => entry.isCurrent); // [b1's entry]
 * ```
 */
export function revisionHistory<R extends Revision>(
  graph: RevisionGraph<R>,
  options: { readonly applied?: Iterable<string> } = {},
): readonly HistoryEntry<R>[] {
  const applied = new Set(options.applied === undefined ? [] : validateAppliedRevisions(graph, options.applied));
  const current = new Set(headsWithin(graph, applied));
  return Object.freeze(
    [...graph.order].reverse().map((id) => {
      const node = graph.nodes.get(id) as RevisionNode<R>;
      return Object.freeze({ ...node, isApplied: applied.has(id), isCurrent: current.has(id) });
    }),
  );
}
