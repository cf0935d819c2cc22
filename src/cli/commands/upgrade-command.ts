import type { MigrationRunResult } from "../../migrate/migration-result.js";
import type { CliCommand } from "../cli-command.js";
import type { CliContext } from "../cli-context.js";
import { errorJson, errorLines, errorStack } from "../error-lines.js";
import { OFFLINE_FLAGS, printOfflineSql } from "./offline-sql.js";

/** Renders a run result; exit code 1 when a revision failed. */
export function reportRun(context: CliContext, result: MigrationRunResult): number {
  if (context.flags.json) {
    context.output.json({
      ...result,
      steps: result.steps.map((step) => (step.error === undefined ? step : { ...step, error: errorJson(step.error) })),
      error: result.error === undefined ? undefined : errorJson(result.error),
    });
  } else if (result.steps.length === 0) {
    context.output.line(`already at ${result.target}: heads ${result.headsAfter.join(", ") || "<base>"}`);
  } else {
    const notRun = result.steps.filter((step) => step.status === "not-run").length;
    if (result.error !== undefined) {
      for (const line of errorLines(result.error)) context.output.error(context.output.paint("red", line));
      const stack = context.flags.verbose ? errorStack(result.error) : undefined;
      if (stack !== undefined) context.output.error(stack);
    }
    if (notRun > 0) context.output.line(`${notRun} revision(s) not run`);
    context.output.line(`heads: ${result.headsAfter.join(", ") || "<base>"}`);
  }
  return result.ok ? 0 : 1;
}

export const upgradeCommand: CliCommand = {
  name: "upgrade",
  summary: "apply revisions up to a target (default head)",
  usage: "athanor upgrade [head | heads | <rev> | +N | <rev>+N] [--sql [--from <rev>] [--dialect postgres|sqlite]]",
  flags: OFFLINE_FLAGS,
  async run(context) {
    const target = context.positionals[0] ?? "head";
    if (context.flags.sql) return printOfflineSql(context, "upgrade", target);
    return reportRun(context, await (await context.migrator()).upgrade(target));
  },
};
