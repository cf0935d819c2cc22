import type { UnknownRevisionError } from "../../errors.js";
import { inGraphOrder } from "./in-graph-order.js";
import { nodeOf } from "./node-of.js";
import type { RevisionGraph } from "./revision-graph.js";

/**
 * Every revision the given revisions build on, directly or through others: what must be
 * applied before them. In canonical order (bases first). Throws
 * {@link UnknownRevisionError} for an id the graph does not contain.
 *
 * @example
 * ```ts
 * // a1 <- b1 <- m1, a1 <- c1 <- m1
 * ancestorsOf(graph, ["m1"]);                      // ["a1", "b1", "c1"]
 * ancestorsOf(graph, ["b1"], { inclusive: true }); // ["a1", "b1"]
 * ```
 */
export function ancestorsOf(
  graph: RevisionGraph,
  ids: Iterable<string>,
  options: { readonly inclusive?: boolean } = {},
): readonly string[] {
  const start = [...ids];
  const parents = start.flatMap((id) => nodeOf(graph, id).downRevisions);
  return inGraphOrder(graph, collectAncestors(graph, options.inclusive ? start : parents));
}

/**
 * The given revisions and all their ancestors, as a set (the building block of plans).
 *
 * @example
 * ```ts
 * collectAncestors(graph, ["b1"]); // Set { "b1", "a1" }
 * ```
 */
export function collectAncestors(graph: RevisionGraph, ids: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const pending = [...ids];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (found.has(id)) continue;
    found.add(id);
    pending.push(...nodeOf(graph, id).downRevisions);
  }
  return found;
}

