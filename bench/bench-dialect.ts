import type { BenchConfig } from "./bench-config.js";
import type { BenchResult } from "./bench-result.js";
import type { BenchTarget, Contender } from "./contender.js";
import { startContender, type ContenderProcess } from "./contender-process.js";
import { median, type Sample } from "./harness.js";
import { scenarios as allScenarios, type Scenario } from "./scenarios.js";

/** Samples of one scenario, per contender name, in run order. */
type ScenarioSamples = Map<string, Sample[]>;

/** One contender measured with the references beside it: every contender's sample, by name. */
interface Pairing {
  readonly run: number;
  readonly samples: ReadonlyMap<string, Sample>;
}

/** Slices each measurement is cut into, interleaved with the references' slices. */
const SLICES = 3;

/**
 * Measures every contender of one dialect in every scenario, as a careful outside harness does:
 * - **a fresh process per measurement**: for each run and scenario, every contender is started
 *   in a process of its own, opened, warmed up on that scenario for `warmupSeconds`, measured
 *   and closed; no contender carries JIT state from other scenarios, every one gets the same
 *   warm-up;
 * - **measured beside the references**: the raw driver and bare Kysely (fresh processes too,
 *   kept open for the scenario) are measured in the same stretch of time as each contender,
 *   in `SLICES` interleaved slices with the order rotating, so each ratio compares
 *   measurements taken seconds apart, not minutes: on a machine shared with other work, a
 *   burst of load then falls on both sides of a ratio instead of on one contender;
 * - at most three pools are connected at once (10 pools of 10 would take all of a default
 *   PostgreSQL's 100 connections); runs are interleaved and the contender order rotates.
 */
export async function benchDialect(
  target: BenchTarget,
  contenders: readonly Contender[],
  config: BenchConfig,
  progress: (line: string) => void,
  reset: () => Promise<void>,
): Promise<BenchResult[]> {
  const scenarios = allScenarios.filter((scenario) => config.scenarios?.some((part) => scenario.name.includes(part)) ?? true);
  progress(`${target.dialect}: ${contenders.map((contender) => contender.name).join(", ")}`);
  const resetData = config.freshData ? reset : async () => {};
  if (config.process === "contender") return benchInLongLivedProcesses(target, contenders, scenarios, config, progress, resetData);
  const references = contenders.filter((contender) => contender.baseline === true || contender.kysely === true);
  const others = contenders.filter((contender) => !references.includes(contender));
  // Learnt from each contender's first process: the scenarios it has no operation for are skipped.
  const operations = new Map<Contender, readonly string[]>();
  const pairings = new Map<Scenario, Pairing[]>(scenarios.map((scenario) => [scenario, []]));
  const failed = (contender: Contender, scenario: Scenario, error: unknown): void =>
    // One contender failing (a library's bug, an API not there yet) leaves its cell empty, not the table.
    progress(`${target.dialect}: ${contender.name}, ${scenario.name}: failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  for (let run = 0; run < config.runs; run++) {
    progress(`${target.dialect}: run ${run + 1}/${config.runs}`);
    for (const scenario of scenarios) {
      const opened: ContenderProcess[] = [];
      try {
        for (const contender of references) {
          const entry = await openWarm(contender, target, scenario, config, resetData, (known) => operations.set(contender, known));
          if (entry !== undefined) opened.push(entry);
        }
        const measured = others.filter((contender) => operations.get(contender)?.includes(scenario.operation) ?? true);
        if (measured.length === 0) pairings.get(scenario)!.push(await interleave(opened, scenario, run, config, resetData));
        for (const contender of rotate(measured, run)) {
          let entry: ContenderProcess | undefined;
          try {
            entry = await openWarm(contender, target, scenario, config, resetData, (known) => operations.set(contender, known));
            if (entry !== undefined) pairings.get(scenario)!.push(await interleave([...opened, entry], scenario, run, config, resetData));
          } catch (error) {
            failed(contender, scenario, error);
          } finally {
            await entry?.close();
          }
        }
      } finally {
        await Promise.all(opened.map((entry) => entry.close()));
      }
    }
  }
  return scenarios.flatMap((scenario) => summarisePairings(target, scenario, contenders, pairings.get(scenario)!, config.runs));
}

/** A contender in a fresh process, warmed up on `scenario`; undefined (and closed) when it does not take part in it. */
async function openWarm(
  contender: Contender,
  target: BenchTarget,
  scenario: Scenario,
  config: BenchConfig,
  reset: () => Promise<void>,
  learn: (operations: readonly string[]) => void,
): Promise<ContenderProcess | undefined> {
  const entry = await startContender(contender, target);
  learn(entry.operations);
  if (!entry.operations.includes(scenario.operation)) {
    await entry.close();
    return undefined;
  }
  try {
    await reset();
    await entry.measure(scenario.name, config.warmupSeconds);
  } catch (error) {
    await entry.close();
    throw error;
  }
  return entry;
}

/** `SLICES` rounds, each measuring every entry for a slice of `seconds` (order rotating, data emptied before each). */
async function interleave(entries: readonly ContenderProcess[], scenario: Scenario, run: number, config: BenchConfig, reset: () => Promise<void>): Promise<Pairing> {
  const slices = new Map<string, Sample[]>();
  for (let slice = 0; slice < SLICES; slice++) {
    for (const entry of rotate(entries, run + slice)) {
      await reset();
      const sample = await entry.measure(scenario.name, config.seconds / SLICES);
      if (sample !== undefined) slices.set(entry.contender.name, [...(slices.get(entry.contender.name) ?? []), sample]);
    }
  }
  const samples = new Map<string, Sample>();
  for (const [name, parts] of slices) {
    const operations = parts.reduce((sum, part) => sum + part.opsPerSecond, 0);
    samples.set(name, {
      opsPerSecond: operations / parts.length,
      cpuMicrosPerOperation: parts.reduce((sum, part) => sum + part.cpuMicrosPerOperation * part.opsPerSecond, 0) / operations,
    });
  }
  return { run, samples };
}

/**
 * Per run, a contender's throughput and ratios are the medians over the pairings it was in
 * (one for a contender, one per contender for the references); then medians over the runs.
 */
function summarisePairings(target: BenchTarget, scenario: Scenario, contenders: readonly Contender[], pairings: readonly Pairing[], runs: number): BenchResult[] {
  const raw = contenders.find((contender) => contender.baseline)?.name;
  const kysely = contenders.find((contender) => contender.kysely)?.name;
  return contenders.flatMap((contender): BenchResult[] => {
    const perRun: Array<{ sample: Sample; toRaw: number | undefined; toKysely: number | undefined }> = [];
    for (let run = 0; run < runs; run++) {
      const mine = pairings.filter((pairing) => pairing.run === run && pairing.samples.has(contender.name));
      if (mine.length === 0) continue;
      const ratio = (reference: string | undefined): number | undefined => {
        if (reference === undefined || !mine.every((pairing) => pairing.samples.has(reference))) return undefined;
        return median(mine.map((pairing) => pairing.samples.get(contender.name)!.opsPerSecond / pairing.samples.get(reference)!.opsPerSecond));
      };
      const samples = mine.map((pairing) => pairing.samples.get(contender.name)!);
      perRun.push({
        sample: { opsPerSecond: median(samples.map((sample) => sample.opsPerSecond)), cpuMicrosPerOperation: median(samples.map((sample) => sample.cpuMicrosPerOperation)) },
        toRaw: ratio(raw),
        toKysely: ratio(kysely),
      });
    }
    if (perRun.length === 0) return [];
    const toRaw = perRun.every((entry) => entry.toRaw !== undefined) ? perRun.map((entry) => entry.toRaw!) : undefined;
    const toKysely = perRun.every((entry) => entry.toKysely !== undefined) ? perRun.map((entry) => entry.toKysely!) : undefined;
    return [
      {
        dialect: target.dialect,
        scenario: scenario.name,
        operation: scenario.operation,
        concurrency: scenario.concurrency,
        contender: contender.name,
        opsPerSecond: median(perRun.map((entry) => entry.sample.opsPerSecond)),
        cpuMicrosPerOperation: median(perRun.map((entry) => entry.sample.cpuMicrosPerOperation)),
        runs: perRun.map((entry) => entry.sample.opsPerSecond),
        ratioToRaw: toRaw && median(toRaw),
        ratioToKysely: toKysely && median(toKysely),
        ratiosToRaw: toRaw,
        ratiosToKysely: toKysely,
      },
    ];
  });
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
