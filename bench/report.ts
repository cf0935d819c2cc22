import type { BenchResult } from "./bench-result.js";
import type { TargetCheck } from "./targets.js";

/** The results as a markdown table: one row per dialect, scenario and contender. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ["dialect", "scenario", "contender", "ops/s", "ratio to raw", "× kysely", "client CPU µs/op"];
  const rows = results.map((result) => [
    result.dialect,
    result.scenario,
    result.contender,
    Math.round(result.opsPerSecond).toLocaleString("en-US"),
    formatRatio(result.ratioToRaw),
    formatRatio(result.ratioToKysely),
    result.cpuMicrosPerOperation.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = new Set([3, 4, 5, 6]);
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(" | ")} |`;
  const rule = `|${widths.map((width, column) => (numeric.has(column) ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks
    .map(({ target, scenario, ratio, met }) => {
      const reference = target.against === "raw" ? "raw driver" : "bare Kysely";
      return `${met ? "met   " : "MISSED"} ${target.dialect} ${scenario}: ${target.contender} ${ratio.toFixed(2)}× ${reference} (target ≥ ${target.atLeast.toFixed(2)}×)`;
    })
    .join("\n");
}

function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? "" : `${ratio.toFixed(2)}×`;
}
