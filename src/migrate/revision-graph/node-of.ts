import { UnknownRevisionError } from "../../errors.js";
import type { RevisionGraph } from "./revision-graph.js";
import type { RevisionNode } from "./revision-node.js";
import type { Revision } from "./revision.js";

/**
 * The node of a full revision id; throws {@link UnknownRevisionError} when there is none.
 * (Prefixes and `head` are {@link resolveRevision}'s job.)
 *
 * @example
 * ```ts
 * nodeOf(graph, "b1").downRevisions; // ["a1"]
 * ```
 */
export function nodeOf<R extends Revision>(graph: RevisionGraph<R>, id: string): RevisionNode<R> {
  const node = graph.nodes.get(id);
  if (node === undefined) throw new UnknownRevisionError(`unknown revision ${id}`, id);
  return node;
}
