import { expect } from "vitest";
import {
  buildRevisionGraph,
  planMigration,
  type MigrationDirection,
  type MigrationTarget,
  type Revision,
  type RevisionGraph,
} from "../../src/migrate/revision-graph/index.js";

/** A test revision: the graph must hand back this very object. */
export interface TestRevision extends Revision {
  readonly message: string;
}

/**
 * Revisions from compact specs: `"a1"` is a base, `"b1:a1"` follows a1, `"m1:b1,c1"` merges.
 */
export function revisions(...specs: string[]): TestRevision[] {
  return specs.map((spec) => {
    const [id, down] = spec.split(":") as [string, string | undefined];
    const downs = down === undefined ? [] : down.split(",");
    return {
      revision: id,
      downRevision: downs.length === 0 ? null : downs.length === 1 ? (downs[0] as string) : downs,
      message: `revision ${id}`,
    };
  });
}

export function graphOf(...specs: string[]): RevisionGraph<TestRevision> {
  return buildRevisionGraph(revisions(...specs));
}

export function plan(
  graph: RevisionGraph<TestRevision>,
  applied: readonly string[],
  target: string | MigrationTarget,
  direction: MigrationDirection,
) {
  return planMigration(graph, { applied, target, direction });
}

/** The ids an upgrade plan applies, in order. */
export function up(graph: RevisionGraph<TestRevision>, applied: readonly string[], target: string): string[] {
  return plan(graph, applied, target, "upgrade").steps.map((step) => step.id);
}

/** The ids a downgrade plan unapplies, in order. */
export function down(graph: RevisionGraph<TestRevision>, applied: readonly string[], target: string): string[] {
  return plan(graph, applied, target, "downgrade").steps.map((step) => step.id);
}

/** Runs `fn`, expects it to throw an instance of `type`, and returns the error for its data. */
export function thrown<E extends Error>(type: abstract new (...args: any[]) => E, fn: () => unknown): E {
  let error: unknown;
  try {
    fn();
  } catch (caught) {
    error = caught;
  }
  expect(error, "expected an error to be thrown").toBeInstanceOf(type);
  return error as E;
}

/** root <- r1 <- r2 <- r3 <- r4 (ids chosen so no one is a prefix of another). */
export const LINEAR = ["r1", "r2:r1", "r3:r2", "r4:r3"] as const;

/** root <- a1 <- a2 and root <- b1 <- b2: two unmerged heads. */
export const BRANCHED = ["root", "a1:root", "a2:a1", "b1:root", "b2:b1"] as const;

/** root <- a1 <- a2 and root <- b1, merged by m1(a2, b1), then tail <- m1. */
export const MERGED = ["root", "a1:root", "a2:a1", "b1:root", "m1:a2,b1", "tail:m1"] as const;

/** Three branches from root (x1; y1 <- y2; z1) merged by m3, then t1 on top. */
export const THREE_WAY = ["root", "x1:root", "y1:root", "y2:y1", "z1:root", "m3:x1,y2,z1", "t1:m3"] as const;

/** root branches to a1 and b1, merged by m1, which branches again to c1 and d1 (two heads). */
export const MERGE_THEN_BRANCH = ["root", "a1:root", "b1:root", "m1:a1,b1", "c1:m1", "d1:m1"] as const;
