import { ConfigurationError } from "../../errors.js";
import { createRevision } from "../../migrate/create-revision.js";
import type { CliCommand } from "../cli-command.js";

export const mergeCommand: CliCommand = {
  name: "merge",
  summary: "write a merge revision following every head",
  usage: 'athanor merge -m "message"',
  flags: { message: { value: true, short: "m", help: "what the merge is for (required)" } },
  async run(context) {
    const message = context.flags.message;
    if (typeof message !== "string" || message.trim() === "") throw new ConfigurationError('merge needs a message: athanor merge -m "merge heads"');
    const created = await createRevision({ directory: (await context.config()).migrationsDirectory, message, merge: true, format: await context.revisionLanguage() });
    if (context.flags.json) context.output.json(created);
    else context.output.line(`created merge ${created.revision} of ${[created.downRevision].flat().join(", ")}: ${created.path}`);
    return 0;
  },
};
