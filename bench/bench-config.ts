import type { BenchDialect } from "./contender.js";
import { DEFAULT_BENCH_POSTGRES_URL } from "./postgres-fixture.js";

/** Settings of one bench run, from the environment. */
export interface BenchConfig {
  /** `BENCH_SECONDS`: length of one measurement. Default 1.2. */
  readonly seconds: number;
  /** `BENCH_RUNS`: measurements per contender and scenario; the table shows the median. Default 3. */
  readonly runs: number;
  /** `BENCH_WARMUP_SECONDS`: an unrecorded measurement before each measurement, in the same fresh process. Default 1. */
  readonly warmupSeconds: number;
  /** `BENCH_DIALECTS`: comma-separated subset of `postgres,sqlite`. */
  readonly dialects: readonly BenchDialect[];
  /** `BENCH_CONTENDERS`: comma-separated contender names to keep (baselines are always kept). */
  readonly contenders: readonly string[] | undefined;
  /** `BENCH_SCENARIOS`: comma-separated parts of scenario names to keep, e.g. `point select`. */
  readonly scenarios: readonly string[] | undefined;
  /** `ATHANOR_BENCH_POSTGRES_URL`: admin URL the bench database is created on. */
  readonly postgresUrl: string;
  /** `BENCH_ROWS`: rows in `bench_items`. Default 10,000. */
  readonly rows: number;
  /** `BENCH_POOL_SIZE`: connections per pooled contender. Default 10. */
  readonly poolSize: number;
  /**
   * `BENCH_PROCESS`: `measurement` (default), a fresh process per measurement, warmed up on its
   * scenario; or `contender`, one process per contender for all its scenarios, warmed up once
   * per scenario before the first run (the harness before issue 14, kept to compare).
   */
  readonly process: "measurement" | "contender";
  /** `BENCH_FRESH_DATA`: `1` (default) empties `bench_events` before each measurement; `0` lets it grow (the harness before issue 14). */
  readonly freshData: boolean;
}

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const dialects = list(env.BENCH_DIALECTS) ?? ["postgres", "sqlite"];
  for (const dialect of dialects) {
    if (dialect !== "postgres" && dialect !== "sqlite") throw new Error(`BENCH_DIALECTS: unknown dialect "${dialect}" (postgres, sqlite)`);
  }
  const runs = number(env, "BENCH_RUNS", 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error("BENCH_RUNS must be a positive integer");
  return {
    seconds: number(env, "BENCH_SECONDS", 1.2),
    runs,
    warmupSeconds: number(env, "BENCH_WARMUP_SECONDS", 1),
    dialects: dialects as BenchDialect[],
    contenders: list(env.BENCH_CONTENDERS),
    scenarios: list(env.BENCH_SCENARIOS),
    postgresUrl: env.ATHANOR_BENCH_POSTGRES_URL ?? DEFAULT_BENCH_POSTGRES_URL,
    rows: number(env, "BENCH_ROWS", 10_000),
    poolSize: number(env, "BENCH_POOL_SIZE", 10),
    process: choice(env, "BENCH_PROCESS", ["measurement", "contender"] as const),
    freshData: choice(env, "BENCH_FRESH_DATA", ["1", "0"] as const) === "1",
  };
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
}

function choice<const T extends readonly string[]>(env: NodeJS.ProcessEnv, name: string, values: T): T[number] {
  const text = env[name];
  if (text === undefined || text === "") return values[0]!;
  if (!values.includes(text)) throw new Error(`${name} must be one of ${values.join(", ")}, got "${text}"`);
  return text;
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  return text.split(",").map((item) => item.trim()).filter((item) => item !== "");
}
