import type { BenchConfig } from "./bench-config.js";
import type { BenchResult } from "./bench-result.js";
import type { BenchTarget, Contender } from "./contender.js";
import { startContender, type ContenderProcess } from "./contender-process.js";
import { median, type Sample } from "./harness.js";
import { scenarios as allScenarios, type Scenario } from "./scenarios.js";

/** Samples of one scenario, per contender name, in run order. */
type ScenarioSamples = Map<string, Sample[]>;

/**
 * Measures every contender of one dialect in every scenario. Each measurement gets a fresh
 * process: the contender is opened, warmed up on that scenario for `warmupSeconds`, measured,
 * and closed, so no contender carries JIT state from other scenarios, every one gets the same
 * warm-up, and only one contender's pool is connected at a time (10 pools of 10 would take all
 * of a default PostgreSQL's 100 connections). Runs are interleaved (run 1 of everything, then
 * run 2…) and the contender order rotates per run, so a burst of noise from the rest of the
 * machine is shared out instead of landing on one contender.
 */
export async function benchDialect(
  target: BenchTarget,
  contenders: readonly Contender[],
  config: BenchConfig,
  progress: (line: string) => void,
  reset: () => Promise<void>,
): Promise<BenchResult[]> {
  const scenarios = allScenarios.filter((scenario) => config.scenarios?.some((part) => scenario.name.includes(part)) ?? true);
  const samples = new Map<Scenario, ScenarioSamples>(scenarios.map((scenario) => [scenario, new Map()]));
  // Learnt from each contender's first process: the scenarios it has no operation for are skipped.
  const operations = new Map<Contender, readonly string[]>();
  progress(`${target.dialect}: ${contenders.map((contender) => contender.name).join(", ")}`);
  const resetData = config.freshData ? reset : async () => {};
  if (config.process === "contender") return benchInLongLivedProcesses(target, contenders, scenarios, config, progress, resetData);
  for (let index = 0; index < config.runs; index++) {
    progress(`${target.dialect}: run ${index + 1}/${config.runs}`);
    for (const scenario of scenarios) {
      const byContender = samples.get(scenario)!;
      for (const contender of rotate(contenders, index)) {
        if (operations.has(contender) && !operations.get(contender)!.includes(scenario.operation)) continue;
        let measured: Sample | undefined;
        try {
          measured = await measureInProcess(contender, target, scenario, config, resetData, (known) => operations.set(contender, known));
        } catch (error) {
          // One contender failing (a library's bug, an API not there yet) leaves its cell empty, not the table.
          progress(`${target.dialect}: ${contender.name}, ${scenario.name}: failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
          continue;
        }
        if (measured !== undefined) byContender.set(contender.name, [...(byContender.get(contender.name) ?? []), measured]);
      }
    }
  }
  return scenarios.flatMap((scenario) => summarise(target, scenario, contenders, samples.get(scenario)!));
}

/** One measurement in a process of its own: open, warm up, measure, close. Every measurement starts on the same data. */
async function measureInProcess(
  contender: Contender,
  target: BenchTarget,
  scenario: Scenario,
  config: BenchConfig,
  reset: () => Promise<void>,
  learn: (operations: readonly string[]) => void,
): Promise<Sample | undefined> {
  await reset();
  const entry = await startContender(contender, target);
  try {
    learn(entry.operations);
    if (!entry.operations.includes(scenario.operation)) return undefined;
    await entry.measure(scenario.name, config.warmupSeconds);
    // Bulk inserts add 10,000 rows a call: a table grown by the warm-up (or by the contenders
    // measured before) would tax the measurement.
    await reset();
    return await entry.measure(scenario.name, config.seconds);
  } finally {
    await entry.close();
  }
}

/**
 * `BENCH_PROCESS=contender`: every contender opened once in a process of its own for all the
 * scenarios, warmed up on each scenario once before the first run; one pool per contender is
 * connected all along. The harness before issue 14, kept to compare (see docs/benchmarks.md).
 */
async function benchInLongLivedProcesses(
  target: BenchTarget,
  contenders: readonly Contender[],
  scenarios: readonly Scenario[],
  config: BenchConfig,
  progress: (line: string) => void,
  reset: () => Promise<void>,
): Promise<BenchResult[]> {
  const opened: ContenderProcess[] = [];
  try {
    for (const contender of contenders) opened.push(await startContender(contender, target));
    const samples = new Map<Scenario, ScenarioSamples>(scenarios.map((scenario) => [scenario, new Map()]));
    const run = async (scenario: Scenario, entry: ContenderProcess, seconds: number): Promise<Sample | undefined> => {
      await reset();
      return entry.measure(scenario.name, seconds);
    };
    progress(`${target.dialect}: warming up`);
    for (const scenario of scenarios) for (const entry of opened) await run(scenario, entry, config.warmupSeconds);
    for (let index = 0; index < config.runs; index++) {
      progress(`${target.dialect}: run ${index + 1}/${config.runs}`);
      for (const scenario of scenarios) {
        const byContender = samples.get(scenario)!;
        for (const entry of rotate(opened, index)) {
          const measured = await run(scenario, entry, config.seconds);
          if (measured !== undefined) byContender.set(entry.contender.name, [...(byContender.get(entry.contender.name) ?? []), measured]);
        }
      }
    }
    return scenarios.flatMap((scenario) => summarise(target, scenario, contenders, samples.get(scenario)!));
  } finally {
    await Promise.all(opened.map((entry) => entry.close()));
  }
}

/** Medians over the runs; ratios are taken within each run (same moment, same noise) and then their median. */
function summarise(target: BenchTarget, scenario: Scenario, contenders: readonly Contender[], samples: ScenarioSamples): BenchResult[] {
  const runsOf = (contender: Contender | undefined): Sample[] | undefined => (contender === undefined ? undefined : samples.get(contender.name));
  const raw = runsOf(contenders.find((contender) => contender.baseline));
  const kysely = runsOf(contenders.find((contender) => contender.kysely));
  const ratios = (runs: readonly Sample[], reference: readonly Sample[] | undefined): number[] | undefined =>
    reference === undefined ? undefined : runs.map((run, index) => run.opsPerSecond / reference[index]!.opsPerSecond);
  return contenders.flatMap((contender): BenchResult[] => {
    const runs = runsOf(contender);
    if (runs === undefined) return [];
    const toRaw = ratios(runs, raw);
    const toKysely = ratios(runs, kysely);
    return [
      {
        dialect: target.dialect,
        scenario: scenario.name,
        operation: scenario.operation,
        concurrency: scenario.concurrency,
        contender: contender.name,
        opsPerSecond: median(runs.map((run) => run.opsPerSecond)),
        cpuMicrosPerOperation: median(runs.map((run) => run.cpuMicrosPerOperation)),
        runs: runs.map((run) => run.opsPerSecond),
        ratioToRaw: toRaw && median(toRaw),
        ratioToKysely: toKysely && median(toKysely),
        ratiosToRaw: toRaw,
        ratiosToKysely: toKysely,
      },
    ];
  });
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}
