import { AmbiguousRevisionError, InvalidMigrationTargetError, MultipleHeadsError, UnknownRevisionError } from "../../errors.js";
import { parseMigrationTarget, type MigrationTarget } from "./migration-target.js";
import type { RevisionGraph } from "./revision-graph.js";

/** Prefixes shorter than this never match: a short prefix that is unique today becomes ambiguous tomorrow, in scripts too. */
const MIN_PREFIX_LENGTH = 4;

/**
 * Resolves a reference to one revision id: a full id, a unique prefix (at least 4
 * characters), `head` (the single head), or a walk from one of those: `<ref>+N` / `<ref>-N`
 * (also `base+N`). Throws {@link UnknownRevisionError}, {@link AmbiguousRevisionError}
 * (listing the candidates), {@link MultipleHeadsError} (`head` with several heads), or
 * {@link InvalidMigrationTargetError} (the walk leaves the graph or meets a branch, or the
 * reference names no single revision: `base`, `heads`, `+1`).
 *
 * @example
 * ```ts
 * // a1b2c3d4 <- b2c3d4e5 <- c3d4e5f6
 * resolveRevision(graph, "b2c3");       // "b2c3d4e5"
 * resolveRevision(graph, "head");       // "c3d4e5f6"
 * resolveRevision(graph, "head-2");     // "a1b2c3d4"
 * resolveRevision(graph, "a1b2c3d4+1"); // "b2c3d4e5"
 * ```
 */
export function resolveRevision(graph: RevisionGraph, ref: string): string {
  const target = parseMigrationTarget(ref);
  if (target.kind === "head" || target.kind === "revision" || target.kind === "anchored") {
    const id = resolveAbsolute(graph, target, ref);
    if (id !== null) return id;
    if (target.kind === "head") throw new UnknownRevisionError("there are no revisions, so there is no head", ref);
    throw new InvalidMigrationTargetError(`"${ref}" walks down to base, which is not a revision`, ref, "out-of-range");
  }
  throw new InvalidMigrationTargetError(`"${ref}" does not name a single revision`, ref, "syntax");
}

/**
 * Resolves `head`, `<rev>` or `<ref>±N` to a revision id, or `null` for the base (below
 * every revision). Shared by {@link resolveRevision}, `resolveTarget` and `planMigration`.
 *
 * @example
 * ```ts
 * resolveAbsolute(graph, { kind: "anchored", ref: "a1b2c3d4", steps: -1 }, "a1b2c3d4-1"); // null
 * ```
 */
export function resolveAbsolute(
  graph: RevisionGraph,
  target: Extract<MigrationTarget, { kind: "head" | "revision" | "anchored" }>,
  text: string,
): string | null {
  if (target.kind === "head") return singleHead(graph);
  if (target.kind === "revision") return lookUp(graph, target.ref);
  const start = target.ref === "base" ? null : target.ref === "head" ? singleHead(graph) : lookUp(graph, target.ref);
  if (target.ref === "head" && start === null) {
    throw new InvalidMigrationTargetError(`"${text}": there are no revisions`, text, "out-of-range");
  }
  return walk(graph, start, target.steps, text);
}

function singleHead(graph: RevisionGraph): string | null {
  if (graph.heads.length > 1) {
    throw new MultipleHeadsError(
      `there are ${graph.heads.length} heads (${graph.heads.join(", ")}): name one of them, use "heads" to upgrade every branch, or merge them`,
      graph.heads,
    );
  }
  return graph.heads[0] ?? null;
}

function lookUp(graph: RevisionGraph, ref: string): string {
  if (graph.nodes.has(ref)) return ref;
  if (ref === "heads") throw new InvalidMigrationTargetError(`"heads" cannot be walked from: name one head`, ref, "syntax");
  if (ref.length < MIN_PREFIX_LENGTH) {
    throw new UnknownRevisionError(`no revision ${ref} (a revision prefix needs at least ${MIN_PREFIX_LENGTH} characters)`, ref);
  }
  const candidates = graph.order.filter((id) => id.startsWith(ref));
  if (candidates.length === 0) throw new UnknownRevisionError(`no revision ${ref}`, ref);
  if (candidates.length > 1) {
    throw new AmbiguousRevisionError(`revision prefix ${ref} is ambiguous: it matches ${candidates.join(", ")}`, ref, candidates);
  }
  return candidates[0] as string;
}

// Alembic's walk: each step must have exactly one way to go; null stands for the base.
function walk(graph: RevisionGraph, start: string | null, steps: number, text: string): string | null {
  let position = start;
  for (let step = 1; step <= Math.abs(steps); step++) {
    if (steps > 0) {
      const next = position === null ? graph.bases : (graph.nodes.get(position)?.nextRevisions ?? []);
      if (next.length === 0) {
        throw new InvalidMigrationTargetError(
          `"${text}" walks past ${position === null ? "the base: there are no revisions" : `the head ${position}`} (step ${step} of ${steps})`,
          text,
          "out-of-range",
        );
      }
      if (next.length > 1) {
        throw new InvalidMigrationTargetError(
          `"${text}" is ambiguous: step ${step} could go to ${next.join(", ")}; name the revision instead`,
          text,
          "ambiguous-step",
          next,
        );
      }
      position = next[0] as string;
    } else {
      if (position === null) {
        throw new InvalidMigrationTargetError(`"${text}" walks below the base (step ${step} of ${-steps})`, text, "out-of-range");
      }
      const down = graph.nodes.get(position)?.downRevisions ?? [];
      if (down.length > 1) {
        throw new InvalidMigrationTargetError(
          `"${text}" is ambiguous: ${position} is a merge of ${down.join(", ")}; name the revision instead`,
          text,
          "ambiguous-step",
          down,
        );
      }
      position = down[0] ?? null;
    }
  }
  return position;
}
