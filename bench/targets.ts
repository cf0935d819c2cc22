import type { BenchResult } from "./bench-result.js";
import type { BenchDialect } from "./contender.js";
import { median } from "./harness.js";
import type { Scenario } from "./scenarios.js";

/**
 * A performance goal from an issue: `contender` at least `atLeast` × the reference in every
 * scenario of `operation` (only those with `concurrency` callers, when given). The reference
 * is the dialect's raw driver, bare Kysely, or another contender by name.
 */
export interface Target {
  readonly source: string;
  readonly dialect: BenchDialect;
  readonly operation: Scenario["operation"];
  readonly concurrency?: number;
  readonly contender: string;
  readonly against: "raw" | "kysely" | { readonly contender: string };
  readonly atLeast: number;
}

const WITH_SCHEMA = "athanor with schema";
const COMPILED = "athanor compiled";
const PIPELINED = "athanor pipelined";
const DRIZZLE = { contender: "drizzle .prepare()" } as const;

export const targets: readonly Target[] = [
  // Issue 14, item 1: identical values at no measurable cost (the documented way, `{ schema }`).
  { source: "14.1", dialect: "postgres", operation: "pointSelect", contender: WITH_SCHEMA, against: "raw", atLeast: 1.0 },
  { source: "14.1", dialect: "postgres", operation: "writeTransaction", contender: WITH_SCHEMA, against: "raw", atLeast: 0.95 },
  { source: "14.1", dialect: "sqlite", operation: "pointSelect", contender: WITH_SCHEMA, against: "kysely", atLeast: 1.5 },
  { source: "14.1", dialect: "sqlite", operation: "writeTransaction", contender: WITH_SCHEMA, against: "kysely", atLeast: 1.5 },
  { source: "14.1", dialect: "sqlite", operation: "join", contender: WITH_SCHEMA, against: "kysely", atLeast: 1.0 },
  // Issue 14, item 2: compiled queries that beat Drizzle's `.prepare()`.
  { source: "14.2", dialect: "postgres", operation: "pointSelect", concurrency: 1, contender: COMPILED, against: "raw", atLeast: 1.3 },
  { source: "14.2", dialect: "postgres", operation: "writeTransaction", contender: COMPILED, against: "raw", atLeast: 1.2 },
  { source: "14.2", dialect: "sqlite", operation: "pointSelect", contender: COMPILED, against: "raw", atLeast: 0.9 },
  { source: "14.2", dialect: "sqlite", operation: "writeTransaction", contender: COMPILED, against: "raw", atLeast: 0.9 },
  ...(["pointSelect", "writeTransaction", "transactionalSelect", "join"] as const).map(
    (operation): Target => ({ source: "14.2", dialect: "sqlite", operation, contender: COMPILED, against: DRIZZLE, atLeast: 1.0 }),
  ),
  { source: "14.2", dialect: "sqlite", operation: "bulkInsert", contender: WITH_SCHEMA, against: DRIZZLE, atLeast: 1.0 },
  // Issue 14, item 3: pipelined autocommit statements on the engine (postgres.js: 1.69×).
  // `postgres: { pipeline: 2 }`, without hurting the sequential case.
  { source: "14.3", dialect: "postgres", operation: "pointSelect", concurrency: 32, contender: PIPELINED, against: "raw", atLeast: 1.6 },
  { source: "14.3", dialect: "postgres", operation: "pointSelect", concurrency: 1, contender: PIPELINED, against: { contender: WITH_SCHEMA }, atLeast: 0.95 },
  // Issue 14, item 4: bulk insert with the schema.
  { source: "14.4", dialect: "sqlite", operation: "bulkInsert", contender: WITH_SCHEMA, against: "raw", atLeast: 0.9 },
  { source: "14.4", dialect: "postgres", operation: "bulkInsert", contender: WITH_SCHEMA, against: "raw", atLeast: 0.9 },
  // Earlier rounds (no schema): engine and sessions against the raw drivers and bare Kysely.
  { source: "earlier", dialect: "postgres", operation: "pointSelect", contender: "athanor engine", against: "raw", atLeast: 1.0 },
  { source: "earlier", dialect: "postgres", operation: "writeTransaction", contender: "athanor engine", against: "raw", atLeast: 0.95 },
  { source: "earlier", dialect: "sqlite", operation: "pointSelect", contender: "athanor engine", against: "kysely", atLeast: 1.5 },
  { source: "earlier", dialect: "postgres", operation: "transactionalSelect", contender: "athanor sessions", against: "raw", atLeast: 0.95 },
  { source: "earlier", dialect: "postgres", operation: "writeTransaction", contender: "athanor sessions", against: "raw", atLeast: 0.95 },
  { source: "earlier", dialect: "sqlite", operation: "transactionalSelect", contender: "athanor sessions", against: "kysely", atLeast: 1.5 },
  { source: "earlier", dialect: "sqlite", operation: "writeTransaction", contender: "athanor sessions", against: "kysely", atLeast: 1.5 },
  { source: "earlier", dialect: "postgres", operation: "bulkInsert", contender: "athanor sessions", against: "raw", atLeast: 0.9 },
  { source: "earlier", dialect: "sqlite", operation: "bulkInsert", contender: "athanor sessions", against: "raw", atLeast: 0.9 },
];

export interface TargetCheck {
  readonly target: Target;
  readonly scenario: string;
  /** Median of the per-run ratios: what `met` is judged on. */
  readonly ratio: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  readonly met: boolean;
}

/** Every target against every matching result; ratios are taken within each run (same moment, same noise). */
export function checkTargets(results: readonly BenchResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const target of targets) {
    for (const result of results) {
      if (result.dialect !== target.dialect || result.operation !== target.operation || result.contender !== target.contender) continue;
      if (target.concurrency !== undefined && result.concurrency !== target.concurrency) continue;
      const ratios = ratiosAgainst(target, result, results);
      if (ratios === undefined || ratios.length === 0) continue;
      const ratio = median(ratios);
      checks.push({ target, scenario: result.scenario, ratio, min: Math.min(...ratios), max: Math.max(...ratios), runs: ratios.length, met: ratio >= target.atLeast });
    }
  }
  return checks;
}

function ratiosAgainst(target: Target, result: BenchResult, results: readonly BenchResult[]): readonly number[] | undefined {
  if (target.against === "raw") return result.ratiosToRaw;
  if (target.against === "kysely") return result.ratiosToKysely;
  // Two contenders are each measured beside the raw driver, not beside each other: their
  // ratio is the ratio of their ratios to it, run by run.
  const name = target.against.contender;
  const reference = results.find((other) => other.dialect === result.dialect && other.scenario === result.scenario && other.contender === name);
  const mine = result.ratiosToRaw;
  const theirs = reference?.ratiosToRaw;
  if (mine === undefined || theirs === undefined || theirs.length !== mine.length) return undefined;
  return mine.map((ratio, index) => ratio / theirs[index]!);
}

/** The name a target's reference is shown with. */
export function referenceName(target: Target): string {
  if (target.against === "raw") return "raw driver";
  if (target.against === "kysely") return "bare Kysely";
  return target.against.contender;
}
