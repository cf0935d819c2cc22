import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { maskUrlText } from "../src/engine/database-url.js";
import { readBenchConfig, type BenchConfig } from "./bench-config.js";
import { benchDialect } from "./bench-dialect.js";
import type { BenchResult } from "./bench-result.js";
import type { BenchDialect, BenchTarget, Contender } from "./contender.js";
import { contenders } from "./contender-registry.js";
import { createPostgresFixture, postgresReachable } from "./postgres-fixture.js";
import { profileOne, readProfileRequest } from "./profile.js";
import { formatTable, formatTargets } from "./report.js";
import { createSqliteFixture } from "./sqlite-fixture.js";
import { checkTargets } from "./targets.js";
import { benchHttp, HTTP_SCENARIO } from "./http/bench-http.js";
import { httpContenders } from "./http/http-contender-registry.js";
import { formatHttpTable, formatHttpTargets } from "./http/http-report.js";
import type { HttpResult } from "./http/http-result.js";

const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), "results", "latest.json");

/**
 * `npm run bench`: every registered contender, both dialects, a markdown table and
 * `bench/results/latest.json`. `npm run bench -- --profile <contender> <scenario>`: one
 * contender in one scenario under the CPU profiler (see profile.ts).
 */
async function main(): Promise<void> {
  const config = readBenchConfig();
  const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  const profile = readProfileRequest(process.argv.slice(2));
  if (profile !== undefined) return profileOne(profile, config, progress);
  progress(`${config.runs} runs × ${config.seconds} s per measurement, pool size ${config.poolSize}, ${config.rows} rows`);
  const results: BenchResult[] = [];
  const http: HttpResult[] = [];
  for (const dialect of config.dialects) {
    const selected = contenders.filter(
      (contender) => contender.dialect === dialect && (contender.baseline || config.contenders === undefined || config.contenders.includes(contender.name)),
    );
    results.push(...(await benchWithFixture(dialect, selected, config, progress, http)));
  }
  const checks = checkTargets(results);
  process.stdout.write(`\n${formatTable(results)}\n\n${formatTargets(checks)}\n`);
  if (http.length > 0) process.stdout.write(`\n${formatHttpTable(http)}\n\n${formatHttpTargets(http)}\n`);
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    config: { ...config, postgresUrl: maskUrlText(config.postgresUrl) },
    results,
    targets: checks,
    http,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  progress(`written ${RESULTS_FILE}`);
}

async function benchWithFixture(dialect: BenchDialect, selected: readonly Contender[], config: BenchConfig, progress: (line: string) => void, http: HttpResult[]): Promise<BenchResult[]> {
  if (dialect === "postgres") {
    if (!(await postgresReachable(config.postgresUrl))) {
      progress(`PostgreSQL unreachable at ${maskUrlText(config.postgresUrl)}: skipped (set ATHANOR_BENCH_POSTGRES_URL)`);
      return [];
    }
    const fixture = await createPostgresFixture(config.postgresUrl, config.rows);
    try {
      http.push(...(await benchHttpOf(target(dialect, fixture.url, config), config, progress)));
      return await benchDialect(target(dialect, fixture.url, config), selected, config, progress, fixture.reset);
    } finally {
      await fixture.drop();
    }
  }
  const fixture = await createSqliteFixture(config.rows);
  try {
    http.push(...(await benchHttpOf(target(dialect, fixture.path, config), config, progress)));
    return await benchDialect(target(dialect, fixture.path, config), selected, config, progress, fixture.reset);
  } finally {
    await fixture.drop();
  }
}

/**
 * The HTTP scenario (bench/http): run when BENCH_SCENARIOS is unset or names it ("HTTP"), and
 * BENCH_CONTENDERS is unset or names one of its contenders (its references are always kept).
 */
function benchHttpOf(target: BenchTarget, config: BenchConfig, progress: (line: string) => void): Promise<HttpResult[]> {
  if (config.scenarios !== undefined && !config.scenarios.some((part) => /http/i.test(part) && HTTP_SCENARIO.includes(part))) return Promise.resolve([]);
  const named = httpContenders.filter((contender) => contender.dialect === target.dialect && config.contenders?.includes(contender.name) === true);
  if (config.contenders !== undefined && named.length === 0) return Promise.resolve([]);
  const selected = httpContenders.filter((contender) => contender.dialect === target.dialect && (contender.role !== undefined || config.contenders === undefined || named.includes(contender)));
  return benchHttp(target, selected, config, progress);
}

function target(dialect: BenchDialect, location: string, config: BenchConfig): BenchTarget {
  return { dialect, location, rows: config.rows, poolSize: config.poolSize };
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
