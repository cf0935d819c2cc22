import type { BenchDialect } from "./contender.js";
import type { Scenario } from "./scenarios.js";

/** One row of the table: a contender's throughput in one scenario. */
export interface BenchResult {
  readonly dialect: BenchDialect;
  readonly scenario: string;
  readonly operation: Scenario["operation"];
  readonly concurrency: number;
  readonly contender: string;
  /** Median over the runs. */
  readonly opsPerSecond: number;
  /** Median over the runs of this process's CPU time per operation (client side only). */
  readonly cpuMicrosPerOperation: number;
  /** Every run's throughput, in run order. */
  readonly runs: readonly number[];
  /** Relative to the dialect's raw driver in the same scenario: the median of the per-run ratios. */
  readonly ratioToRaw: number | undefined;
  /** Relative to bare Kysely in the same scenario: the median of the per-run ratios. */
  readonly ratioToKysely: number | undefined;
  /** Every run's ratio to the raw driver, in run order (min–max in the report). */
  readonly ratiosToRaw: readonly number[] | undefined;
  /** Every run's ratio to bare Kysely, in run order. */
  readonly ratiosToKysely: readonly number[] | undefined;
}
