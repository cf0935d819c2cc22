import { inGraphOrder } from "./in-graph-order.js";
import type { RevisionGraph } from "./revision-graph.js";
import { validateAppliedRevisions } from "./validate-applied-revisions.js";

/**
 * The current heads of a database: its applied revisions that no applied revision follows
 * (what Alembic stores in `alembic_version`). Validates the applied set first (see
 * {@link validateAppliedRevisions}). Empty when nothing is applied.
 *
 * @example
 * ```ts
 * // a1 <- b1 <- m1, a1 <- c1 <- m1
 * currentHeads(graph, ["a1", "b1", "c1"]); // ["b1", "c1"]
 * currentHeads(graph, []);                 // []
 * ```
 */
export function currentHeads(graph: RevisionGraph, applied: Iterable<string>): readonly string[] {
  return headsWithin(graph, new Set(validateAppliedRevisions(graph, applied)));
}

/**
 * The heads of an already validated applied set (no validation, for planning loops).
 *
 * @example
 * ```ts
 * headsWithin(graph, new Set(["a1", "b1"])); // ["b1"]
 * ```
 */
export function headsWithin(graph: RevisionGraph, applied: ReadonlySet<string>): string[] {
  return inGraphOrder(graph, applied).filter((id) => !graph.nodes.get(id)?.nextRevisions.some((next) => applied.has(next)));
}
