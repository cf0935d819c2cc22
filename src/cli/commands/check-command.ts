import { checkSchema } from "../../migrate/check-schema.js";
import { renderOperation } from "../../migrate/operations/render-operation.js";
import type { CliCommand } from "../cli-command.js";

export const checkCommand: CliCommand = {
  name: "check",
  summary: "compare the configured schema with the database; exit 1 when they differ (for CI)",
  usage: "athanor check",
  flags: {},
  async run(context) {
    const { config } = await context.config();
    const result = await checkSchema(await context.engine(), await context.schema(), config.versionTable === undefined ? {} : { versionTable: config.versionTable });
    if (context.flags.json) {
      context.output.json(result);
    } else if (result.inSync) {
      context.output.line(context.output.paint("green", "the database matches the schema"));
    } else {
      context.output.line(context.output.paint("yellow", `the database differs from the schema (${result.operations.length} operation(s) needed; athanor revision --autogenerate -m "…"):`));
      // Whole, as the revision would hold it: a table's first line alone (`createTable("agents", {`) says too little.
      for (const operation of result.operations) for (const line of renderOperation(operation).split("\n")) context.output.line(`  ${line}`);
    }
    return result.inSync ? 0 : 1;
  },
};
