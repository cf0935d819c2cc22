import { InvalidMigrationTargetError } from "../../errors.js";
import { collectAncestors } from "./ancestors-of.js";
import { headsWithin } from "./current-heads.js";
import { collectDescendants } from "./descendants-of.js";
import { inGraphOrder } from "./in-graph-order.js";
import type { MigrationDirection, MigrationPlan, MigrationStep } from "./migration-plan.js";
import { formatMigrationTarget, parseMigrationTarget, type MigrationTarget } from "./migration-target.js";
import { nodeOf } from "./node-of.js";
import { resolveAbsolute } from "./resolve-revision.js";
import type { RevisionGraph } from "./revision-graph.js";
import type { Revision } from "./revision.js";
import { validateAppliedRevisions } from "./validate-applied-revisions.js";

/**
 * What to plan: from which applied revisions, to which target, in which direction.
 *
 * @example
 * ```ts
 * const request: MigrationPlanRequest = { applied: ["a1", "b1"], target: "-1", direction: "downgrade" };
 * ```
 */
export interface MigrationPlanRequest {
  /** Every applied revision (the version table's rows), not only the heads: see {@link appliedFromHeads}. */
  readonly applied: Iterable<string>;
  /** `head`, `heads`, `base`, a revision id or prefix, `+N`, `-N`, `<ref>+N`, `<ref>-N`. */
  readonly target: string | MigrationTarget;
  readonly direction: MigrationDirection;
}

/**
 * Plans the steps from the applied revisions to a target, with Alembic's semantics.
 *
 * Upgrade: `head` (the single head; {@link MultipleHeadsError} naming them when there are
 * several), `heads` (every branch), `<rev>` or `<ref>±N` apply that revision and whatever
 * it builds on that is not applied yet, leaving other branches alone (a target already
 * applied plans nothing). `+N` applies exactly N revisions, each the one revision that
 * follows a current head and has all its down-revisions applied; it stops with an error
 * where there are several, past the head, or at a merge whose other parents are not applied.
 *
 * Downgrade: `base` unapplies everything; `<rev>` or `<ref>±N` unapply every applied
 * revision that builds on that revision, so below a merge only the branch being walked
 * is unapplied (the target must be applied). `-N` unapplies exactly N revisions, each a
 * single current head.
 *
 * Validates the applied set first ({@link validateAppliedRevisions}). Errors:
 * {@link InvalidMigrationTargetError} with a `reason`, {@link MultipleHeadsError},
 * {@link UnknownRevisionError}, {@link AmbiguousRevisionError}.
 *
 * @example
 * ```ts
 * // a1 <- b1 <- m1, a1 <- c1 <- m1
 * planMigration(graph, { applied: [], target: "heads", direction: "upgrade" }).steps.map((s) => s.id);
 * // ["a1", "b1", "c1", "m1"]
 * planMigration(graph, { applied: ["a1", "b1", "c1", "m1"], target: "b1", direction: "downgrade" }).headsAfter;
 * // ["b1", "c1"]: only m1 is unapplied
 * planMigration(graph, { applied: ["a1"], target: "+1", direction: "upgrade" });
 * // throws InvalidMigrationTargetError (reason "ambiguous-step", revisions ["b1", "c1"])
 * ```
 */
export function planMigration<R extends Revision>(graph: RevisionGraph<R>, request: MigrationPlanRequest): MigrationPlan<R> {
  const { direction } = request;
  const appliedBefore = validateAppliedRevisions(graph, request.applied);
  const before = new Set(appliedBefore);
  const target = typeof request.target === "string" ? parseMigrationTarget(request.target) : request.target;
  const text = typeof request.target === "string" ? request.target : formatMigrationTarget(target);
  if (direction !== "upgrade" && direction !== "downgrade") {
    throw new TypeError(`direction must be "upgrade" or "downgrade", got ${JSON.stringify(direction)}`);
  }

  const after = direction === "upgrade" ? upgradeState(graph, before, target, text) : downgradeState(graph, before, target, text);

  const changed = direction === "upgrade" ? inGraphOrder(graph, after).filter((id) => !before.has(id)) : appliedBefore.filter((id) => !after.has(id)).reverse();
  const steps: MigrationStep<R>[] = changed.map((id) => Object.freeze({ direction, id, record: nodeOf(graph, id).record }));
  return Object.freeze({
    direction,
    target: text,
    steps: Object.freeze(steps),
    appliedBefore: Object.freeze([...appliedBefore]),
    appliedAfter: Object.freeze(inGraphOrder(graph, after)),
    headsBefore: Object.freeze(headsWithin(graph, before)),
    headsAfter: Object.freeze(headsWithin(graph, after)),
  });
}

function upgradeState(graph: RevisionGraph, before: ReadonlySet<string>, target: MigrationTarget, text: string): Set<string> {
  switch (target.kind) {
    case "base":
      return new Set(before);
    case "heads":
      return new Set(graph.order);
    case "relative":
      if (target.steps < 0) {
        throw new InvalidMigrationTargetError(`cannot upgrade to "${text}": use downgrade to go down`, text, "direction");
      }
      return stepUp(graph, before, target.steps, text);
    default: {
      const id = resolveAbsolute(graph, target, text);
      return new Set([...before, ...(id === null ? [] : collectAncestors(graph, [id]))]);
    }
  }
}

function downgradeState(graph: RevisionGraph, before: ReadonlySet<string>, target: MigrationTarget, text: string): Set<string> {
  switch (target.kind) {
    case "base":
      return new Set();
    case "heads":
      throw new InvalidMigrationTargetError(`cannot downgrade to "heads": name a revision, -N or base`, text, "direction");
    case "relative":
      if (target.steps > 0) {
        throw new InvalidMigrationTargetError(`cannot downgrade to "${text}": use upgrade to go up`, text, "direction");
      }
      return stepDown(graph, before, -target.steps, text);
    default: {
      const id = resolveAbsolute(graph, target, text);
      if (id === null) return new Set();
      if (!before.has(id)) {
        throw new InvalidMigrationTargetError(
          `cannot downgrade to ${id}: it is not applied, so nothing above it is (current heads: ${describeHeads(graph, before)})`,
          text,
          "not-applied",
          [id],
        );
      }
      const above = collectDescendants(graph, graph.nodes.get(id)?.nextRevisions ?? []);
      return new Set([...before].filter((applied) => !above.has(applied)));
    }
  }
}

// +N counts revisions: each step applies the one revision that follows a current head and
// has all its down-revisions applied.
function stepUp(graph: RevisionGraph, before: ReadonlySet<string>, count: number, text: string): Set<string> {
  const state = new Set(before);
  for (let step = 1; step <= count; step++) {
    const heads = headsWithin(graph, state);
    const following =
      heads.length === 0
        ? graph.bases
        : inGraphOrder(graph, new Set(heads.flatMap((head) => graph.nodes.get(head)?.nextRevisions ?? [])));
    const ready = following.filter((id) => graph.nodes.get(id)?.downRevisions.every((down) => state.has(down)));
    if (ready.length > 1) {
      throw new InvalidMigrationTargetError(
        `cannot upgrade "${text}": step ${step} could apply ${ready.join(" or ")}; upgrade to a named revision instead`,
        text,
        "ambiguous-step",
        ready,
      );
    }
    if (ready.length === 0 && following.length > 0) {
      const merges = following.join(", ");
      const missing = following.flatMap((id) => graph.nodes.get(id)?.downRevisions ?? []).filter((down) => !state.has(down));
      const parents = inGraphOrder(graph, collectAncestors(graph, missing)).filter((ancestor) => !state.has(ancestor));
      throw new InvalidMigrationTargetError(
        `cannot upgrade "${text}": step ${step} reaches merge ${merges}, which also needs ${parents.join(", ")}; upgrade to ${merges} to apply them all`,
        text,
        "unapplied-merge-parents",
        parents,
      );
    }
    if (ready.length === 0) {
      throw new InvalidMigrationTargetError(
        `cannot upgrade "${text}": step ${step} goes past the head (${describeHeads(graph, state)}); ${step - 1} revision(s) available`,
        text,
        "out-of-range",
      );
    }
    state.add(ready[0] as string);
  }
  return state;
}

// -N counts revisions: each step unapplies the single current head.
function stepDown(graph: RevisionGraph, before: ReadonlySet<string>, count: number, text: string): Set<string> {
  const state = new Set(before);
  for (let step = 1; step <= count; step++) {
    const heads = headsWithin(graph, state);
    if (heads.length === 0) {
      throw new InvalidMigrationTargetError(
        `cannot downgrade "${text}": step ${step} goes below base; ${step - 1} revision(s) applied`,
        text,
        "out-of-range",
      );
    }
    if (heads.length > 1) {
      throw new InvalidMigrationTargetError(
        `cannot downgrade "${text}": step ${step} could unapply ${heads.join(" or ")}; use <rev>-N or name the revision instead`,
        text,
        "ambiguous-step",
        heads,
      );
    }
    state.delete(heads[0] as string);
  }
  return state;
}

function describeHeads(graph: RevisionGraph, state: ReadonlySet<string>): string {
  const heads = headsWithin(graph, state);
  return heads.length === 0 ? "nothing applied" : heads.join(", ");
}
