import { ConfigurationError } from "../../errors.js";
import type { CliCommand } from "../cli-command.js";
import { OFFLINE_FLAGS, printOfflineSql } from "./offline-sql.js";
import { reportRun } from "./upgrade-command.js";

export const downgradeCommand: CliCommand = {
  name: "downgrade",
  summary: "revert revisions down to a target",
  usage: "athanor downgrade <base | <rev> | -N | <rev>-N> [--sql [--from <rev>] [--dialect postgres|sqlite]]",
  flags: OFFLINE_FLAGS,
  async run(context) {
    const target = context.positionals[0];
    if (target === undefined) throw new ConfigurationError("downgrade needs a target: base, a revision, or -N");
    if (context.flags.sql) return printOfflineSql(context, "downgrade", target);
    return reportRun(context, await (await context.migrator()).downgrade(target));
  },
};
