import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";

/** Microseconds between samples: finer than `--cpu-prof`'s default (1,000), for µs-scale operations. */
const SAMPLING_INTERVAL_MICROS = 200;

/**
 * Runs `work` under V8's CPU profiler (what `node --cpu-prof` uses) and writes the profile to
 * `path` as a `.cpuprofile` (Chrome DevTools, speedscope, VS Code open it). Only `work` is in
 * the profile: not the process's start, module loading, or the warm-up.
 */
export async function profiled<T>(path: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_MICROS });
    await session.post("Profiler.start");
    const result = await work();
    const { profile } = await session.post("Profiler.stop");
    await writeFile(path, JSON.stringify(profile));
    return result;
  } finally {
    session.disconnect();
  }
}
