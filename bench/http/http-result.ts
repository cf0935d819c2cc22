import type { BenchDialect } from "../contender.js";

/** One row of the HTTP table: a contender's server under the load generator. */
export interface HttpResult {
  readonly dialect: BenchDialect;
  readonly scenario: string;
  readonly contender: string;
  /** Median over the runs. */
  readonly requestsPerSecond: number;
  /** Median over the runs of the 99th percentile latency, in milliseconds. */
  readonly p99Millis: number;
  /** Median over the runs of the server process's CPU time per request. */
  readonly serverCpuMicrosPerRequest: number;
  /** Every run's requests per second, in run order. */
  readonly runs: readonly number[];
  /** Relative to the raw driver's route: the median of the per-run ratios, and each run's. */
  readonly ratioToRaw: number | undefined;
  readonly ratiosToRaw: readonly number[] | undefined;
  /** Relative to the hand-written transaction plugin. */
  readonly ratioToPlugin: number | undefined;
  readonly ratiosToPlugin: readonly number[] | undefined;
}
