import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchConfig } from "../bench-config.js";
import type { BenchTarget } from "../contender.js";
import { median } from "../harness.js";
import { CONCURRENT_CALLERS } from "../scenarios.js";
import type { HttpContender } from "./http-contender.js";
import { load } from "./http-load.js";
import type { HttpResult } from "./http-result.js";
import type { HttpWorkerReply, HttpWorkerRequest } from "./http-worker-protocol.js";

const WORKER = fileURLToPath(new URL("./http-server-worker.ts", import.meta.url));

/** The HTTP scenario's name, as `BENCH_SCENARIOS` selects it. */
export const HTTP_SCENARIO = `HTTP point select, ${CONCURRENT_CALLERS} connections`;

interface HttpSample {
  readonly requestsPerSecond: number;
  readonly p99Millis: number;
  readonly serverCpuMicrosPerRequest: number;
}

/**
 * `GET /items/:id` served by each contender's Fastify app, in a process of its own started
 * fresh for every measurement, over loopback, from a bounded load generator (autocannon,
 * `CONCURRENT_CALLERS` connections) in this process. As in the main bench: a warm-up, then the
 * measurement; runs interleaved, the contender order rotating per run, ratios per run.
 */
export async function benchHttp(target: BenchTarget, contenders: readonly HttpContender[], config: BenchConfig, progress: (line: string) => void): Promise<HttpResult[]> {
  const samples = new Map<HttpContender, HttpSample[]>();
  progress(`${target.dialect}: ${HTTP_SCENARIO}: ${contenders.map((contender) => contender.name).join(", ")}`);
  for (let index = 0; index < config.runs; index++) {
    progress(`${target.dialect}: ${HTTP_SCENARIO}: run ${index + 1}/${config.runs}`);
    for (const contender of rotate(contenders, index)) {
      try {
        samples.set(contender, [...(samples.get(contender) ?? []), await measureServer(contender, target, config)]);
      } catch (error) {
        progress(`${target.dialect}: ${contender.name}: failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      }
    }
  }
  const raw = samples.get(contenders.find((contender) => contender.role === "raw")!);
  const plugin = samples.get(contenders.find((contender) => contender.role === "plugin")!);
  const ratios = (runs: readonly HttpSample[], reference: readonly HttpSample[] | undefined): number[] | undefined =>
    reference === undefined || reference.length !== runs.length ? undefined : runs.map((run, i) => run.requestsPerSecond / reference[i]!.requestsPerSecond);
  return contenders.flatMap((contender): HttpResult[] => {
    const runs = samples.get(contender);
    if (runs === undefined) return [];
    const toRaw = ratios(runs, raw);
    const toPlugin = ratios(runs, plugin);
    return [
      {
        dialect: target.dialect,
        scenario: HTTP_SCENARIO,
        contender: contender.name,
        requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
        p99Millis: median(runs.map((run) => run.p99Millis)),
        serverCpuMicrosPerRequest: median(runs.map((run) => run.serverCpuMicrosPerRequest)),
        runs: runs.map((run) => run.requestsPerSecond),
        ratioToRaw: toRaw && median(toRaw),
        ratiosToRaw: toRaw,
        ratioToPlugin: toPlugin && median(toPlugin),
        ratiosToPlugin: toPlugin,
      },
    ];
  });
}

async function measureServer(contender: HttpContender, target: BenchTarget, config: BenchConfig): Promise<HttpSample> {
  const child = fork(WORKER, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const request = (message: HttpWorkerRequest) => exchange(child, contender.name, message);
  try {
    const started = await request({ type: "start", contender: contender.name, target });
    if (started.type !== "listening") throw new Error(`${contender.name}: did not start`);
    const warm = await load(started.url, config.warmupSeconds, CONCURRENT_CALLERS, target.rows);
    if (warm.failures > 0) throw new Error(`${warm.failures} failed requests during the warm-up`);
    await request({ type: "mark" });
    const measured = await load(started.url, config.seconds, CONCURRENT_CALLERS, target.rows);
    const cpu = await request({ type: "cpu" });
    if (measured.failures > 0) throw new Error(`${measured.failures} failed requests`);
    return {
      requestsPerSecond: measured.requestsPerSecond,
      p99Millis: measured.p99Millis,
      serverCpuMicrosPerRequest: cpu.type === "cpu" ? cpu.micros / measured.requests : Number.NaN,
    };
  } finally {
    if (child.connected) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await request({ type: "close" }).catch(() => child.kill());
      await exited;
    }
  }
}

function exchange(child: ChildProcess, name: string, message: HttpWorkerRequest): Promise<HttpWorkerReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: HttpWorkerReply): void => {
      cleanup();
      if (reply.type === "error") reject(new Error(`${name}: ${reply.message}`));
      else resolve(reply);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${name}: its server process exited (code ${code}) during "${message.type}"`));
    };
    const cleanup = (): void => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.send(message);
  });
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}
