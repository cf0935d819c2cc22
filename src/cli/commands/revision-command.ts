import { ConfigurationError } from "../../errors.js";
import { createRevision } from "../../migrate/create-revision.js";
import type { CliCommand } from "../cli-command.js";

export const revisionCommand: CliCommand = {
  name: "revision",
  summary: "write a new, empty revision following the head",
  usage: 'athanor revision -m "message" [--sql] [--head <rev>]',
  flags: {
    message: { value: true, short: "m", help: "what the revision does (required)" },
    sql: { value: false, help: "write a .sql revision instead of TypeScript" },
    head: { value: true, help: "the revision to follow (when there are several heads)" },
  },
  async run(context) {
    const message = context.flags.message;
    if (typeof message !== "string" || message.trim() === "") throw new ConfigurationError('revision needs a message: athanor revision -m "add agents"');
    const created = await createRevision({
      directory: (await context.config()).migrationsDirectory,
      message,
      format: context.flags.sql ? "sql" : "ts",
      downRevision: typeof context.flags.head === "string" ? context.flags.head : undefined,
    });
    if (context.flags.json) context.output.json(created);
    else context.output.line(`created ${created.revision}: ${created.path}`);
    return 0;
  },
};
