import type { HttpResult } from "./http-result.js";

/** A goal of issue 11: `contender` at least `atLeast` × the reference's requests per second. */
export interface HttpTarget {
  readonly dialect: HttpResult["dialect"];
  readonly contender: string;
  readonly against: "raw" | "plugin";
  readonly atLeast: number;
}

export const httpTargets: readonly HttpTarget[] = [
  { dialect: "postgres", contender: "athanor request.db", against: "raw", atLeast: 0.95 },
  { dialect: "postgres", contender: "athanor request.db", against: "plugin", atLeast: 1.3 },
];

/** The HTTP results as a markdown table. */
export function formatHttpTable(results: readonly HttpResult[]): string {
  const header = ["dialect", "scenario", "contender", "req/s", "ratio to raw route", "× hand-written plugin", "p99 ms", "server CPU µs/req"];
  const rows = results.map((result) => [
    result.dialect,
    result.scenario,
    result.contender,
    Math.round(result.requestsPerSecond).toLocaleString("en-US"),
    ratio(result.ratioToRaw, result.ratiosToRaw),
    ratio(result.ratioToPlugin, result.ratiosToPlugin),
    result.p99Millis.toFixed(1),
    result.serverCpuMicrosPerRequest.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = (column: number): boolean => column >= 3;
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => (numeric(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(" | ")} |`;
  const rule = `|${widths.map((width, column) => (numeric(column) ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** The targets against this run's results, one line each. */
export function formatHttpTargets(results: readonly HttpResult[]): string {
  return httpTargets
    .flatMap((target) => {
      const result = results.find((candidate) => candidate.dialect === target.dialect && candidate.contender === target.contender);
      const measured = target.against === "raw" ? result?.ratioToRaw : result?.ratioToPlugin;
      if (measured === undefined) return [];
      const reference = target.against === "raw" ? "the raw pg route" : "the hand-written Kysely plugin";
      return [`${measured >= target.atLeast ? "met   " : "MISSED"} ${target.dialect} ${result!.scenario}: ${target.contender} ${measured.toFixed(2)}× ${reference} (target ≥ ${target.atLeast.toFixed(2)}×)`];
    })
    .join("\n");
}

function ratio(median: number | undefined, runs: readonly number[] | undefined): string {
  if (median === undefined) return "";
  if (runs === undefined || runs.length < 2) return `${median.toFixed(2)}×`;
  return `${median.toFixed(2)}× (${Math.min(...runs).toFixed(2)}–${Math.max(...runs).toFixed(2)})`;
}
