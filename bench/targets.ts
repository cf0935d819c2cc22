import type { BenchResult } from "./bench-result.js";
import type { BenchDialect } from "./contender.js";
import type { Scenario } from "./scenarios.js";

/** A performance goal from the issue: `contender` at least `atLeast` × the reference, in every scenario of `operation`. */
export interface Target {
  readonly dialect: BenchDialect;
  readonly operation: Scenario["operation"];
  readonly contender: string;
  readonly against: "raw" | "kysely";
  readonly atLeast: number;
}

export const targets: readonly Target[] = [
  { dialect: "postgres", operation: "pointSelect", contender: "athanor engine", against: "raw", atLeast: 1.0 },
  { dialect: "postgres", operation: "writeTransaction", contender: "athanor engine", against: "raw", atLeast: 0.95 },
  { dialect: "sqlite", operation: "pointSelect", contender: "athanor engine", against: "kysely", atLeast: 1.5 },
  { dialect: "postgres", operation: "transactionalSelect", contender: "athanor sessions", against: "raw", atLeast: 0.95 },
  { dialect: "postgres", operation: "writeTransaction", contender: "athanor sessions", against: "raw", atLeast: 0.95 },
  { dialect: "sqlite", operation: "transactionalSelect", contender: "athanor sessions", against: "kysely", atLeast: 1.5 },
  { dialect: "sqlite", operation: "writeTransaction", contender: "athanor sessions", against: "kysely", atLeast: 1.5 },
  { dialect: "postgres", operation: "bulkInsert", contender: "athanor sessions", against: "raw", atLeast: 0.9 },
  { dialect: "sqlite", operation: "bulkInsert", contender: "athanor sessions", against: "raw", atLeast: 0.9 },
];

export interface TargetCheck {
  readonly target: Target;
  readonly scenario: string;
  readonly ratio: number;
  readonly met: boolean;
}

export function checkTargets(results: readonly BenchResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const target of targets) {
    for (const result of results) {
      if (result.dialect !== target.dialect || result.operation !== target.operation || result.contender !== target.contender) continue;
      const ratio = target.against === "raw" ? result.ratioToRaw : result.ratioToKysely;
      if (ratio === undefined) continue;
      checks.push({ target, scenario: result.scenario, ratio, met: ratio >= target.atLeast });
    }
  }
  return checks;
}
