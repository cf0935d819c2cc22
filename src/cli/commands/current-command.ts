import type { CliCommand } from "../cli-command.js";

export const currentCommand: CliCommand = {
  name: "current",
  summary: "show the database's current heads",
  usage: "athanor current",
  flags: {},
  async run(context) {
    const status = await (await context.migrator()).status();
    const upToDate = status.heads.join() === status.scriptHeads.join();
    if (context.flags.json) {
      context.output.json({ ...status, upToDate });
      return 0;
    }
    if (status.heads.length === 0) context.output.line("<base> (no revision applied)");
    for (const head of status.heads) context.output.line(`${head}${status.scriptHeads.includes(head) ? " (head)" : ""}`);
    if (!upToDate) context.output.line(context.output.paint("yellow", `not at head: the migrations' heads are ${status.scriptHeads.join(", ") || "<none>"}`));
    return 0;
  },
};
