import { readBenchConfig } from "./bench-config.js";
import type { BenchTarget } from "./contender.js";
import { contenders } from "./contender-registry.js";
import { idFor, measure } from "./harness.js";
import { createPostgresFixture } from "./postgres-fixture.js";
import { operationOf, scenarios } from "./scenarios.js";
import { createSqliteFixture } from "./sqlite-fixture.js";

/**
 * `node --cpu-prof --import tsx bench/profile.ts <dialect> <contender> <scenario>`: one
 * contender in one scenario for BENCH_SECONDS, nothing else in the process, so the CPU
 * profile shows only its hot path.
 */
async function main(): Promise<void> {
  const [dialect = "postgres", contenderName = "athanor engine", scenarioName = "point select, 32 concurrent"] = process.argv.slice(2);
  const config = readBenchConfig();
  const contender = contenders.find((candidate) => candidate.dialect === dialect && candidate.name === contenderName);
  const scenario = scenarios.find((candidate) => candidate.name === scenarioName);
  if (contender === undefined || scenario === undefined) throw new Error(`unknown contender "${contenderName}" on ${dialect} or scenario "${scenarioName}"`);
  const fixture = dialect === "postgres" ? await createPostgresFixture(config.postgresUrl, config.rows) : await createSqliteFixture(config.rows);
  const location = "url" in fixture ? fixture.url : fixture.path;
  const target: BenchTarget = { dialect: contender.dialect, location, rows: config.rows, poolSize: config.poolSize };
  const instance = await contender.open(target);
  try {
    const operation = operationOf(instance, scenario);
    if (operation === undefined) throw new Error(`${contenderName} does not take part in "${scenarioName}"`);
    const run = (seconds: number): Promise<number> =>
      measure((sequence) => operation(idFor(sequence, config.rows)), { durationMillis: seconds * 1_000, concurrency: scenario.concurrency });
    await run(config.warmupSeconds);
    const opsPerSecond = await run(config.seconds);
    process.stdout.write(`${dialect} ${contenderName} ${scenarioName}: ${Math.round(opsPerSecond)} ops/s\n`);
  } finally {
    await instance.close();
    await fixture.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
