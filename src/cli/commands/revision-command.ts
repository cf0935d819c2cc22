import { ConfigurationError } from "../../errors.js";
import { autogenerateRevision } from "../../migrate/autogenerate-revision.js";
import { createRevision } from "../../migrate/create-revision.js";
import { renderOperation } from "../../migrate/operations/render-operation.js";
import type { CliCommand } from "../cli-command.js";

export const revisionCommand: CliCommand = {
  name: "revision",
  summary: "write a new revision following the head: empty, or --autogenerate from the schema vs the database",
  usage: 'athanor revision -m "message" [--autogenerate | --sql] [--head <rev>]',
  flags: {
    message: { value: true, short: "m", help: "what the revision does (required)" },
    autogenerate: { value: false, help: "fill up/down with the differences between the configured schema and the database" },
    sql: { value: false, help: "write a .sql revision (default: the config file's language, .ts or .mjs)" },
    head: { value: true, help: "the revision to follow (when there are several heads)" },
  },
  async run(context) {
    const message = context.flags.message;
    if (typeof message !== "string" || message.trim() === "") throw new ConfigurationError('revision needs a message: athanor revision -m "add agents"');
    const { migrationsDirectory, config } = await context.config();
    if (context.flags.autogenerate) {
      if (context.flags.sql || context.flags.head !== undefined) throw new ConfigurationError("--autogenerate writes a revision in the config's language following the single head; drop --sql / --head");
      const created = await autogenerateRevision({
        format: await context.revisionLanguage(),
        engine: await context.engine(),
        schema: await context.schema(),
        directory: migrationsDirectory,
        message,
        ...(config.versionTable === undefined ? {} : { versionTable: config.versionTable }),
      });
      if (context.flags.json) {
        context.output.json({ revision: created.revision, downRevision: created.downRevision, path: created.path, operations: created.operations });
        return 0;
      }
      context.output.line(`created ${created.revision}: ${created.path}`);
      if (created.operations.length === 0) context.output.line("no changes detected: the revision is empty");
      for (const operation of created.operations) context.output.line(`  ${renderOperation(operation).split("\n")[0]}`);
      return 0;
    }
    const created = await createRevision({
      directory: migrationsDirectory,
      message,
      format: context.flags.sql ? "sql" : await context.revisionLanguage(),
      downRevision: typeof context.flags.head === "string" ? context.flags.head : undefined,
    });
    if (context.flags.json) context.output.json(created);
    else context.output.line(`created ${created.revision}: ${created.path}`);
    return 0;
  },
};
