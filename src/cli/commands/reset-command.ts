import { resetDatabase } from "../../schema/initialize-database.js";
import type { CliCommand } from "../cli-command.js";

export const resetCommand: CliCommand = {
  name: "reset",
  summary: "drop and recreate every table of the schema (development only)",
  usage: "athanor reset [--environment <name>]",
  flags: { environment: { value: true, help: "the environment (default: ENVIRONMENT, else NODE_ENV); only development resets" } },
  async run(context) {
    const environment = typeof context.flags.environment === "string" ? context.flags.environment : (process.env.ENVIRONMENT ?? process.env.NODE_ENV);
    const result = await resetDatabase(await context.schemaEngine(), await context.schema(), { environment });
    if (context.flags.json) context.output.json(result);
    else context.output.line(`reset: the schema's tables were dropped and recreated (environment ${environment})`);
    return 0;
  },
};
