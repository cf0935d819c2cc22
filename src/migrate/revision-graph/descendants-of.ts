import type { UnknownRevisionError } from "../../errors.js";
import { inGraphOrder } from "./in-graph-order.js";
import { nodeOf } from "./node-of.js";
import type { RevisionGraph } from "./revision-graph.js";

/**
 * Every revision that builds on the given revisions, directly or through others: what
 * must be unapplied before them. In canonical order (bases first). Throws
 * {@link UnknownRevisionError} for an id the graph does not contain.
 *
 * @example
 * ```ts
 * // a1 <- b1 <- m1, a1 <- c1 <- m1
 * descendantsOf(graph, ["b1"]);                      // ["m1"]
 * descendantsOf(graph, ["a1"], { inclusive: true }); // ["a1", "b1", "c1", "m1"]
 * ```
 */
export function descendantsOf(
  graph: RevisionGraph,
  ids: Iterable<string>,
  options: { readonly inclusive?: boolean } = {},
): readonly string[] {
  const start = [...ids];
  const children = start.flatMap((id) => nodeOf(graph, id).nextRevisions);
  return inGraphOrder(graph, collectDescendants(graph, options.inclusive ? start : children));
}

/**
 * The given revisions and everything that builds on them, as a set (the building block of plans).
 *
 * @example
 * ```ts
 * collectDescendants(graph, ["b1"]); // Set { "b1", "m1" }
 * ```
 */
export function collectDescendants(graph: RevisionGraph, ids: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const pending = [...ids];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (found.has(id)) continue;
    found.add(id);
    pending.push(...nodeOf(graph, id).nextRevisions);
  }
  return found;
}

