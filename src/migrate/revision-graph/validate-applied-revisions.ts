import { InconsistentMigrationStateError, type UnappliedAncestors } from "../../errors.js";
import { collectAncestors } from "./ancestors-of.js";
import { compareIds } from "./compare-ids.js";
import { inGraphOrder } from "./in-graph-order.js";
import type { RevisionGraph } from "./revision-graph.js";

/**
 * Checks that a database's applied revisions fit the graph: every applied revision
 * exists, and every ancestor of an applied revision is applied too (the set is closed
 * under ancestors). Returns the applied ids, deduplicated, in canonical order. Throws
 * {@link InconsistentMigrationStateError} naming the unknown revisions (a file deleted or
 * its id changed) and the applied revisions with unapplied ancestors (a revision inserted
 * below applied ones).
 *
 * @example
 * ```ts
 * // a1 <- b1 <- c1
 * validateAppliedRevisions(graph, ["b1", "a1"]); // ["a1", "b1"]
 * validateAppliedRevisions(graph, ["a1", "c1"]);
 * // throws InconsistentMigrationStateError { unappliedAncestors: [{ revision: "c1", missing: ["b1"] }] }
 * ```
 */
export function validateAppliedRevisions(graph: RevisionGraph, applied: Iterable<string>): readonly string[] {
  const set = new Set(applied);
  const unknown = [...set].filter((id) => !graph.nodes.has(id)).sort(compareIds);
  const gaps: UnappliedAncestors[] = [];
  for (const id of inGraphOrder(graph, set)) {
    const node = graph.nodes.get(id);
    if (node === undefined || node.downRevisions.every((down) => set.has(down))) continue;
    const ancestors = collectAncestors(graph, node.downRevisions);
    gaps.push({ revision: id, missing: inGraphOrder(graph, ancestors).filter((ancestor) => !set.has(ancestor)) });
  }
  if (unknown.length > 0 || gaps.length > 0) {
    const problems = [
      ...(unknown.length > 0 ? [`applied revision(s) not found among the revisions: ${unknown.join(", ")}`] : []),
      ...gaps.map((gap) => `${gap.revision} is applied but its ancestor(s) ${gap.missing.join(", ")} are not`),
    ];
    throw new InconsistentMigrationStateError(`the applied revisions do not match the revision graph: ${problems.join("; ")}`, unknown, gaps);
  }
  return inGraphOrder(graph, set);
}
