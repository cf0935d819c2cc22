import type { BenchResult } from "./bench-result.js";
import { referenceName, type TargetCheck } from "./targets.js";

/** The results as a markdown table: one row per dialect, scenario and contender; ratios as median (min–max over the runs). */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ["dialect", "scenario", "contender", "ops/s", "ratio to raw (min–max)", "× kysely (min–max)", "client CPU µs/op"];
  const rows = results.map((result) => [
    result.dialect,
    result.scenario,
    result.contender,
    Math.round(result.opsPerSecond).toLocaleString("en-US"),
    formatRatio(result.ratioToRaw, result.ratiosToRaw),
    formatRatio(result.ratioToKysely, result.ratiosToKysely),
    result.cpuMicrosPerOperation.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = new Set([3, 4, 5, 6]);
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(" | ")} |`;
  const rule = `|${widths.map((width, column) => (numeric.has(column) ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** One line per target and scenario: met or MISSED, the median ratio and its range over the runs. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks
    .map(({ target, scenario, ratio, min, max, runs, met }) => {
      const range = runs > 1 ? ` (${min.toFixed(2)}–${max.toFixed(2)} over ${runs} runs)` : "";
      return `${met ? "met   " : "MISSED"} [${target.source}] ${target.dialect} ${scenario}: ${target.contender} ${ratio.toFixed(2)}×${range} ${referenceName(target)} (target ≥ ${target.atLeast.toFixed(2)}×)`;
    })
    .join("\n");
}

function formatRatio(ratio: number | undefined, ratios: readonly number[] | undefined): string {
  if (ratio === undefined) return "";
  if (ratios === undefined || ratios.length < 2) return `${ratio.toFixed(2)}×`;
  return `${ratio.toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}
