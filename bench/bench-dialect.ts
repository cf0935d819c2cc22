import type { BenchConfig } from "./bench-config.js";
import type { BenchResult } from "./bench-result.js";
import type { BenchTarget, Contender } from "./contender.js";
import { startContender, type ContenderProcess } from "./contender-process.js";
import { median, type Sample } from "./harness.js";
import { scenarios as allScenarios, type Scenario } from "./scenarios.js";

/** Samples of one scenario, per contender name, in run order. */
type ScenarioSamples = Map<string, Sample[]>;

/**
 * Measures every contender of one dialect in every scenario. Each contender runs in a process
 * of its own, but only one measures at a time. Runs are interleaved (run 1 of everything,
 * then run 2…) and the contender order rotates per run, so a burst of noise from the rest of
 * the machine is shared out instead of landing on one contender.
 */
export async function benchDialect(
  target: BenchTarget,
  contenders: readonly Contender[],
  config: BenchConfig,
  progress: (line: string) => void,
): Promise<BenchResult[]> {
  const opened: ContenderProcess[] = [];
  const scenarios = allScenarios.filter((scenario) => config.scenarios?.some((part) => scenario.name.includes(part)) ?? true);
  try {
    progress(`${target.dialect}: starting ${contenders.map((contender) => contender.name).join(", ")}`);
    const started = await Promise.allSettled(contenders.map((contender) => startContender(contender, target)));
    for (const outcome of started) if (outcome.status === "fulfilled") opened.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const samples = new Map<Scenario, ScenarioSamples>(scenarios.map((scenario) => [scenario, new Map()]));
    const run = (scenario: Scenario, entry: ContenderProcess, seconds: number): Promise<Sample | undefined> => entry.measure(scenario.name, seconds);
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
    return scenarios.flatMap((scenario) => summarise(target, scenario, opened, samples.get(scenario)!));
  } finally {
    await Promise.all(opened.map((entry) => entry.close()));
  }
}

/** Medians over the runs; ratios are taken within each run (same moment, same noise) and then their median. */
function summarise(target: BenchTarget, scenario: Scenario, opened: readonly ContenderProcess[], samples: ScenarioSamples): BenchResult[] {
  const runsOf = (contender: Contender | undefined): Sample[] | undefined => (contender === undefined ? undefined : samples.get(contender.name));
  const raw = runsOf(opened.find((entry) => entry.contender.baseline)?.contender);
  const kysely = runsOf(opened.find((entry) => entry.contender.kysely)?.contender);
  const ratio = (runs: readonly Sample[], reference: readonly Sample[] | undefined): number | undefined =>
    reference === undefined ? undefined : median(runs.map((run, index) => run.opsPerSecond / reference[index]!.opsPerSecond));
  return opened.flatMap(({ contender }): BenchResult[] => {
    const runs = runsOf(contender);
    if (runs === undefined) return [];
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
        ratioToRaw: ratio(runs, raw),
        ratioToKysely: ratio(runs, kysely),
      },
    ];
  });
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}
