import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchConfig } from "./bench-config.js";
import type { BenchDialect, BenchTarget, Contender } from "./contender.js";
import { startContender } from "./contender-process.js";
import { contenders } from "./contender-registry.js";
import { formatProfileSummary, summariseProfile, type CpuProfile } from "./cpu-profile-summary.js";
import { createPostgresFixture } from "./postgres-fixture.js";
import { scenarios } from "./scenarios.js";
import { createSqliteFixture } from "./sqlite-fixture.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PROFILE_DIR = join(ROOT, "bench", "results");

/** What `npm run bench -- --profile <contender> <scenario> [--focus <regex>]` asks for. */
export interface ProfileRequest {
  readonly contender: string;
  readonly scenario: string;
  readonly focus: string | undefined;
}

/** Reads `--profile <contender> <scenario>` and `--focus <regex>` from the command line; undefined without `--profile`. */
export function readProfileRequest(argv: readonly string[]): ProfileRequest | undefined {
  const at = argv.indexOf("--profile");
  if (at === -1) return undefined;
  const [contender, scenario] = argv.slice(at + 1, at + 3);
  if (contender === undefined || scenario === undefined || contender.startsWith("--") || scenario.startsWith("--")) {
    throw new Error('usage: npm run bench -- --profile "<contender>" "<scenario>" [--focus "<regex>"]');
  }
  const focusAt = argv.indexOf("--focus");
  return { contender, scenario, focus: focusAt === -1 ? undefined : argv[focusAt + 1] };
}

/**
 * One contender in one scenario, in its own process as in a bench run, warmed up for
 * `BENCH_WARMUP_SECONDS`, then measured for `BENCH_SECONDS` under V8's CPU profiler. Writes
 * `bench/results/<dialect>-<contender>-<scenario>.cpuprofile` and prints the functions with
 * the most self time. The dialect is the first of `BENCH_DIALECTS` the contender exists on.
 */
export async function profileOne(request: ProfileRequest, config: BenchConfig, progress: (line: string) => void): Promise<void> {
  const contender = findContender(request.contender, config.dialects);
  const scenario = scenarios.find((candidate) => candidate.name === request.scenario) ?? scenarios.find((candidate) => candidate.name.includes(request.scenario));
  if (scenario === undefined) throw new Error(`no scenario matches "${request.scenario}" (${scenarios.map((candidate) => candidate.name).join("; ")})`);
  const fixture = contender.dialect === "postgres" ? await createPostgresFixture(config.postgresUrl, config.rows) : await createSqliteFixture(config.rows);
  const location = "url" in fixture ? fixture.url : fixture.path;
  const target: BenchTarget = { dialect: contender.dialect, location, rows: config.rows, poolSize: config.poolSize };
  const path = join(PROFILE_DIR, `${slug(`${contender.dialect}-${contender.name}-${scenario.name}`)}.cpuprofile`);
  await mkdir(PROFILE_DIR, { recursive: true });
  const entry = await startContender(contender, target);
  try {
    progress(`${contender.dialect} ${contender.name}, ${scenario.name}: warming up ${config.warmupSeconds} s, then profiling ${config.seconds} s`);
    await fixture.reset();
    if ((await entry.measure(scenario.name, config.warmupSeconds)) === undefined) throw new Error(`${contender.name} does not take part in "${scenario.name}"`);
    await fixture.reset();
    const measured = (await entry.measure(scenario.name, config.seconds, path))!;
    const summary = summariseProfile(JSON.parse(await readFile(path, "utf8")) as CpuProfile, ROOT, request.focus);
    process.stdout.write(
      `${contender.dialect} ${contender.name}, ${scenario.name}: ${Math.round(measured.opsPerSecond).toLocaleString("en-US")} ops/s, ` +
        `client CPU ${measured.cpuMicrosPerOperation.toFixed(1)} µs/op (under the profiler)\n\n${formatProfileSummary(summary)}\n\nprofile: ${path}\n`,
    );
  } finally {
    await entry.close();
    await fixture.drop();
  }
}

function findContender(name: string, dialects: readonly BenchDialect[]): Contender {
  for (const dialect of dialects) {
    const found = contenders.find((candidate) => candidate.dialect === dialect && candidate.name === name);
    if (found !== undefined) return found;
  }
  const names = [...new Set(contenders.map((candidate) => candidate.name))];
  throw new Error(`no contender "${name}" on ${dialects.join(" or ")} (${names.join(", ")})`);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}
