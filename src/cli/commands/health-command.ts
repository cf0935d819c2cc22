import type { CliCommand } from "../cli-command.js";

export const healthCommand: CliCommand = {
  name: "health",
  summary: "check the database is reachable; exit 1 when it is not",
  usage: "athanor health",
  flags: {},
  async run(context) {
    const report = await (await context.engine()).healthCheck();
    if (context.flags.json) context.output.json(report);
    else {
      const state = report.status === "ok" ? context.output.paint("green", "ok") : context.output.paint("red", "error");
      context.output.line(`${state}: ${report.message} (${report.dialect} ${report.database}${report.host ? ` on ${report.host}:${report.port}` : ""}, ${report.version ?? "unknown version"}, ${report.latencyMillis} ms)`);
    }
    return report.status === "ok" ? 0 : 1;
  },
};
