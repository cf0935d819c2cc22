import type { Revision } from "./revision.js";

/**
 * Which way a plan moves.
 *
 * @example
 * ```ts
 * const direction: MigrationDirection = "downgrade";
 * ```
 */
export type MigrationDirection = "upgrade" | "downgrade";

/**
 * One revision to run, in one direction.
 *
 * @example
 * ```ts
 * for (const step of plan.steps) {
 *   await (step.direction === "upgrade" ? step.record.up(op) : step.record.down(op));
 * }
 * ```
 */
export interface MigrationStep<R extends Revision = Revision> {
  readonly direction: MigrationDirection;
  /** The revision id. */
  readonly id: string;
  /** The caller's revision record. */
  readonly record: R;
}

/**
 * The ordered steps that move a database from its applied revisions to a target, and the
 * state before and after. Upgrade steps come after everything they build on; downgrade
 * steps come before everything they are built on. Lists of ids are in canonical order.
 * After each step the applied set is still closed under ancestors, so a plan stopped
 * half-way leaves a consistent state: record an applied row after each upgrade step,
 * delete it after each downgrade step.
 *
 * @example
 * ```ts
 * const plan = planMigration(graph, { applied: ["a1"], target: "head", direction: "upgrade" });
 * plan.steps.map((step) => step.id); // ["b1", "c1", "m1"]
 * plan.headsBefore;                  // ["a1"]
 * plan.headsAfter;                   // ["m1"]
 * plan.appliedAfter;                 // ["a1", "b1", "c1", "m1"]
 * ```
 */
export interface MigrationPlan<R extends Revision = Revision> {
  readonly direction: MigrationDirection;
  /** The target as given. */
  readonly target: string;
  /** The revisions to run, in order; empty when the database is already at the target. */
  readonly steps: readonly MigrationStep<R>[];
  /** The applied revisions before the plan. */
  readonly appliedBefore: readonly string[];
  /** The applied revisions once every step has run. */
  readonly appliedAfter: readonly string[];
  /** The current heads before the plan. */
  readonly headsBefore: readonly string[];
  /** The current heads once every step has run. */
  readonly headsAfter: readonly string[];
}
