import {
  DuplicateRevisionError,
  InvalidRevisionError,
  MissingDownRevisionError,
  RevisionCycleError,
  type MissingDownRevision,
} from "../../errors.js";
import { compareIds } from "./compare-ids.js";
import type { RevisionGraph } from "./revision-graph.js";
import type { RevisionNode } from "./revision-node.js";
import type { Revision } from "./revision.js";

const REVISION_ID = /^[A-Za-z0-9_]+$/;
const RESERVED_IDS = new Set(["head", "heads", "base"]);

/**
 * Builds and validates the revision graph. Checks, in this order, each reporting every
 * offender it finds: well-formed records ({@link InvalidRevisionError}), unique ids
 * ({@link DuplicateRevisionError}), existing down-revisions
 * ({@link MissingDownRevisionError}), no cycle ({@link RevisionCycleError}, naming the
 * revisions on one cycle). Pure: no IO, the input is not modified.
 *
 * @example
 * ```ts
 * const graph = buildRevisionGraph([
 *   { revision: "a1", downRevision: null },
 *   { revision: "b1", downRevision: "a1" },
 *   { revision: "c1", downRevision: "a1" },
 *   { revision: "m1", downRevision: ["b1", "c1"], message: "merge" },
 * ]);
 * graph.heads;       // ["m1"]
 * graph.mergePoints; // ["m1"]
 *
 * buildRevisionGraph([{ revision: "a1", downRevision: "zz" }]);
 * // throws MissingDownRevisionError { missing: [{ revision: "a1", downRevision: "zz" }] }
 * ```
 */
export function buildRevisionGraph<R extends Revision>(revisions: Iterable<R>): RevisionGraph<R> {
  const records = [...revisions];
  const downById = new Map<string, readonly string[]>();
  const recordById = new Map<string, R>();
  const duplicates = new Set<string>();

  for (const record of records) {
    const id = validateId(record);
    const down = normaliseDownRevision(record, id);
    if (recordById.has(id)) duplicates.add(id);
    recordById.set(id, record);
    downById.set(id, down);
  }
  if (duplicates.size > 0) {
    const list = [...duplicates].sort(compareIds);
    throw new DuplicateRevisionError(`revision id${list.length > 1 ? "s" : ""} declared more than once: ${list.join(", ")}`, list);
  }

  const ids = [...recordById.keys()].sort(compareIds);
  const missing: MissingDownRevision[] = [];
  for (const id of ids) {
    for (const down of downById.get(id) ?? []) {
      if (!recordById.has(down)) missing.push({ revision: id, downRevision: down });
    }
  }
  if (missing.length > 0) {
    const text = missing.map((entry) => `${entry.revision} -> ${entry.downRevision}`).join(", ");
    throw new MissingDownRevisionError(`down-revision not found (revision -> missing down-revision): ${text}`, missing);
  }

  const nextById = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) {
    for (const down of downById.get(id) ?? []) nextById.get(down)?.push(id);
  }

  const order = canonicalOrder(ids, downById, nextById);
  if (order.length < ids.length) {
    const cycle = findCycle(ids, new Set(order), downById);
    throw new RevisionCycleError(`revisions form a cycle (each followed by its down-revision): ${[...cycle, cycle[0]].join(" -> ")}`, cycle);
  }

  const nodes = new Map<string, RevisionNode<R>>();
  for (const id of order) {
    const downRevisions = Object.freeze([...(downById.get(id) ?? [])]);
    const nextRevisions = Object.freeze([...(nextById.get(id) ?? [])]);
    nodes.set(
      id,
      Object.freeze({
        id,
        record: recordById.get(id) as R,
        downRevisions,
        nextRevisions,
        isHead: nextRevisions.length === 0,
        isBase: downRevisions.length === 0,
        isBranchPoint: nextRevisions.length > 1,
        isMergePoint: downRevisions.length > 1,
      }),
    );
  }
  const select = (test: (node: RevisionNode<R>) => boolean) =>
    Object.freeze(order.filter((id) => test(nodes.get(id) as RevisionNode<R>)));

  return Object.freeze({
    nodes,
    order: Object.freeze(order),
    heads: select((node) => node.isHead),
    bases: select((node) => node.isBase),
    branchPoints: select((node) => node.isBranchPoint),
    mergePoints: select((node) => node.isMergePoint),
  });
}

function validateId(record: Revision): string {
  if (record === null || typeof record !== "object") {
    throw new InvalidRevisionError(`a revision must be an object with "revision" and "downRevision", got ${String(record)}`, undefined);
  }
  const id: unknown = record.revision;
  if (typeof id !== "string" || !REVISION_ID.test(id)) {
    throw new InvalidRevisionError(
      `invalid revision id ${JSON.stringify(id)}: use ASCII letters, digits and "_" only`,
      id,
    );
  }
  if (RESERVED_IDS.has(id)) {
    throw new InvalidRevisionError(`"${id}" cannot be a revision id: head, heads and base are reserved target names`, id);
  }
  return id;
}

function normaliseDownRevision(record: Revision, id: string): readonly string[] {
  const down: unknown = record.downRevision;
  if (down === null) return [];
  if (down === undefined) {
    throw new InvalidRevisionError(`revision ${id} has no downRevision: use null for a base revision`, id);
  }
  const list: readonly unknown[] = Array.isArray(down) ? down : [down];
  const seen = new Set<string>();
  for (const entry of list) {
    if (typeof entry !== "string" || !REVISION_ID.test(entry)) {
      throw new InvalidRevisionError(`revision ${id} has an invalid down-revision ${JSON.stringify(entry)}`, id);
    }
    if (seen.has(entry)) {
      throw new InvalidRevisionError(`revision ${id} lists down-revision ${entry} twice`, id);
    }
    seen.add(entry);
  }
  return [...seen];
}

// Depth-first topological order: after a revision, its newly ready followers come next,
// so each branch stays contiguous in plans and history; ties go to the smallest id.
function canonicalOrder(
  ids: readonly string[],
  downById: ReadonlyMap<string, readonly string[]>,
  nextById: ReadonlyMap<string, readonly string[]>,
): string[] {
  const pending = new Map(ids.map((id) => [id, downById.get(id)?.length ?? 0]));
  const stack = ids.filter((id) => pending.get(id) === 0).reverse();
  const order: string[] = [];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    order.push(id);
    const ready: string[] = [];
    for (const next of nextById.get(id) ?? []) {
      const left = (pending.get(next) ?? 0) - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
    stack.push(...ready.reverse());
  }
  return order;
}

// Every revision left out of the topological order has a down-revision that was also left
// out, so following those from any of them must come back round to a revision already seen.
function findCycle(ids: readonly string[], ordered: ReadonlySet<string>, downById: ReadonlyMap<string, readonly string[]>): string[] {
  const path: string[] = [];
  const position = new Map<string, number>();
  let current = ids.find((id) => !ordered.has(id)) as string;
  while (!position.has(current)) {
    position.set(current, path.length);
    path.push(current);
    const downs = (downById.get(current) ?? []).filter((down) => !ordered.has(down)).sort(compareIds);
    current = downs[0] as string;
  }
  const cycle = path.slice(position.get(current));
  const start = cycle.indexOf([...cycle].sort(compareIds)[0] as string);
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}
