import { seed } from "../../seed/seed.js";
import type { CliCommand } from "../cli-command.js";
import { errorJson, errorLines, errorStack } from "../error-lines.js";

export const seedCommand: CliCommand = {
  name: "seed",
  summary: "insert the configured fixtures in foreign-key order (idempotent, all or nothing)",
  usage: "athanor seed",
  flags: {},
  async run(context) {
    const result = await seed(await context.schemaEngine(), await context.schema(), (await context.fixtures()) as never);
    if (context.flags.json) {
      context.output.json({ ...result, error: result.ok ? undefined : errorJson(result.error) });
    } else {
      for (const table of result.tables) {
        context.output.line(`  ${table.table}: ${table.status}, ${table.inserted} inserted, ${table.updated} updated, ${table.unchanged} unchanged`);
      }
      if (!result.ok) {
        for (const line of errorLines(result.error)) context.output.error(context.output.paint("red", line));
        const stack = context.flags.verbose ? errorStack(result.error) : undefined;
        if (stack !== undefined) context.output.error(stack);
      }
    }
    return result.ok ? 0 : 1;
  },
};
