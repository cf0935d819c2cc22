import { InvalidMigrationTargetError } from "../../errors.js";

/**
 * A parsed migration target.
 *
 * | text | meaning |
 * |---|---|
 * | `head` | the single head (an error when there are several) |
 * | `heads` | every head |
 * | `base` | before the first revision |
 * | `<rev>` | a revision id or a unique prefix of at least 4 characters |
 * | `+N` / `-N` | N revisions above / below the current state |
 * | `<ref>+N` / `<ref>-N` | N revisions above / below `<ref>` (`<ref>` is `<rev>`, `head` or `base`) |
 *
 * @example
 * ```ts
 * parseMigrationTarget("heads");     // { kind: "heads" }
 * parseMigrationTarget("-2");        // { kind: "relative", steps: -2 }
 * parseMigrationTarget("ae1027+1");  // { kind: "anchored", ref: "ae1027", steps: 1 }
 * parseMigrationTarget("head-1");    // { kind: "anchored", ref: "head", steps: -1 }
 * ```
 */
export type MigrationTarget =
  | { readonly kind: "head" }
  | { readonly kind: "heads" }
  | { readonly kind: "base" }
  | { readonly kind: "revision"; readonly ref: string }
  | { readonly kind: "relative"; readonly steps: number }
  | { readonly kind: "anchored"; readonly ref: string; readonly steps: number };

const RELATIVE = /^(?<ref>[A-Za-z0-9_]*)(?<sign>[+-])(?<count>\d+)$/;
const REVISION_REF = /^[A-Za-z0-9_]+$/;

/**
 * Parses a target as typed on the command line (see {@link MigrationTarget}). Throws
 * {@link InvalidMigrationTargetError} with reason `syntax` for anything else, including
 * a step count of 0.
 *
 * @example
 * ```ts
 * parseMigrationTarget("+1");   // { kind: "relative", steps: 1 }
 * parseMigrationTarget("a1b2"); // { kind: "revision", ref: "a1b2" }
 * parseMigrationTarget("+0");   // throws InvalidMigrationTargetError (reason "syntax")
 * ```
 */
export function parseMigrationTarget(target: string): MigrationTarget {
  if (target === "head" || target === "heads" || target === "base") return { kind: target };
  const relative = RELATIVE.exec(target)?.groups;
  if (relative !== undefined) {
    const count = Number(relative.count);
    if (!Number.isSafeInteger(count) || count === 0) {
      throw new InvalidMigrationTargetError(`invalid migration target "${target}": the step count must be a whole number of at least 1`, target, "syntax");
    }
    const steps = relative.sign === "-" ? -count : count;
    return relative.ref ? { kind: "anchored", ref: relative.ref as string, steps } : { kind: "relative", steps };
  }
  if (typeof target === "string" && REVISION_REF.test(target)) return { kind: "revision", ref: target };
  throw new InvalidMigrationTargetError(
    `invalid migration target ${JSON.stringify(target)}: expected head, heads, base, a revision id or prefix, +N, -N, <rev>+N or <rev>-N`,
    String(target),
    "syntax",
  );
}

/**
 * Renders a parsed target back to its text form.
 *
 * @example
 * ```ts
 * formatMigrationTarget({ kind: "anchored", ref: "head", steps: -1 }); // "head-1"
 * ```
 */
export function formatMigrationTarget(target: MigrationTarget): string {
  switch (target.kind) {
    case "revision":
      return target.ref;
    case "relative":
      return target.steps > 0 ? `+${target.steps}` : String(target.steps);
    case "anchored":
      return `${target.ref}${target.steps > 0 ? "+" : ""}${target.steps}`;
    default:
      return target.kind;
  }
}
