import { ConfigurationError } from "../../errors.js";
import type { CliCommand } from "../cli-command.js";

export const stampCommand: CliCommand = {
  name: "stamp",
  summary: "set the version table to a target without running revisions",
  usage: "athanor stamp <head | heads | base | <rev>>",
  flags: {},
  async run(context) {
    const target = context.positionals[0];
    if (target === undefined) throw new ConfigurationError("stamp needs a target: head, heads, base or a revision");
    const status = await (await context.migrator()).stamp(target);
    if (context.flags.json) context.output.json(status);
    else context.output.line(`stamped: heads ${status.heads.join(", ") || "<base>"}`);
    return 0;
  },
};
