import { InconsistentMigrationStateError } from "../../errors.js";
import { collectAncestors } from "./ancestors-of.js";
import { compareIds } from "./compare-ids.js";
import { inGraphOrder } from "./in-graph-order.js";
import type { RevisionGraph } from "./revision-graph.js";

/**
 * The applied revisions implied by a set of current heads: the heads and all their
 * ancestors, in canonical order. The inverse of {@link currentHeads}; use it to read an
 * Alembic-style heads-only version table, or to compute the state `stamp` writes.
 * Throws {@link InconsistentMigrationStateError} for a head the graph does not contain.
 *
 * @example
 * ```ts
 * // a1 <- b1 <- m1, a1 <- c1 <- m1
 * appliedFromHeads(graph, ["b1", "c1"]); // ["a1", "b1", "c1"]
 * appliedFromHeads(graph, []);           // []
 * ```
 */
export function appliedFromHeads(graph: RevisionGraph, heads: Iterable<string>): readonly string[] {
  const list = [...new Set(heads)];
  const unknown = list.filter((id) => !graph.nodes.has(id)).sort(compareIds);
  if (unknown.length > 0) {
    throw new InconsistentMigrationStateError(`head revision(s) not found among the revisions: ${unknown.join(", ")}`, unknown, []);
  }
  return inGraphOrder(graph, collectAncestors(graph, list));
}
