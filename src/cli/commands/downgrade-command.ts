import { ConfigurationError } from "../../errors.js";
import type { CliCommand } from "../cli-command.js";
import { reportRun } from "./upgrade-command.js";

export const downgradeCommand: CliCommand = {
  name: "downgrade",
  summary: "revert revisions down to a target",
  usage: "athanor downgrade <base | <rev> | -N | <rev>-N>",
  flags: {},
  async run(context) {
    const target = context.positionals[0];
    if (target === undefined) throw new ConfigurationError("downgrade needs a target: base, a revision, or -N");
    return reportRun(context, await (await context.migrator()).downgrade(target));
  },
};
