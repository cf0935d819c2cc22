import type { RevisionGraph } from "./revision-graph.js";

/**
 * The ids of `set` that are in the graph, in the graph's canonical order.
 *
 * @example
 * ```ts
 * inGraphOrder(graph, new Set(["m1", "a1"])); // ["a1", "m1"]
 * ```
 */
export function inGraphOrder(graph: RevisionGraph, set: ReadonlySet<string>): string[] {
  return graph.order.filter((id) => set.has(id));
}
