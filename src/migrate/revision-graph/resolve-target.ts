import { InvalidMigrationTargetError } from "../../errors.js";
import { formatMigrationTarget, parseMigrationTarget, type MigrationTarget } from "./migration-target.js";
import { resolveAbsolute } from "./resolve-revision.js";
import type { RevisionGraph } from "./revision-graph.js";

/**
 * Resolves an absolute target to the revisions that define the state at that target: the
 * state is those revisions and all their ancestors (see {@link appliedFromHeads}).
 * `base` gives `[]`, `heads` every head, `head`, `<rev>` and `<ref>±N` one id (or `[]`
 * when the walk ends at base). Relative targets (`+N`, `-N`) depend on the current state:
 * plan them with {@link planMigration}; here they throw
 * {@link InvalidMigrationTargetError}. Errors as in {@link resolveRevision}.
 *
 * @example
 * ```ts
 * resolveTarget(graph, "heads");       // ["b2c3d4e5", "c3d4e5f6"]
 * resolveTarget(graph, "base");        // []
 * resolveTarget(graph, "b2c3");        // ["b2c3d4e5"]
 * // what `stamp` writes:
 * appliedFromHeads(graph, resolveTarget(graph, "b2c3")); // ["a1b2c3d4", "b2c3d4e5"]
 * ```
 */
export function resolveTarget(graph: RevisionGraph, target: string | MigrationTarget): readonly string[] {
  const parsed = typeof target === "string" ? parseMigrationTarget(target) : target;
  const text = typeof target === "string" ? target : formatMigrationTarget(parsed);
  switch (parsed.kind) {
    case "base":
      return [];
    case "heads":
      return graph.heads;
    case "relative":
      throw new InvalidMigrationTargetError(
        `"${text}" is relative to the database's current revisions: plan it with upgrade/downgrade`,
        text,
        "syntax",
      );
    default: {
      const id = resolveAbsolute(graph, parsed, text);
      return id === null ? [] : [id];
    }
  }
}
