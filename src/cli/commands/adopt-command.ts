import { resolve } from "node:path";
import { ConfigurationError } from "../../errors.js";
import { adoptLegacyMigrations } from "../../migrate/adopt-legacy-migrations.js";
import type { CliCommand } from "../cli-command.js";

export const adoptCommand: CliCommand = {
  name: "adopt",
  summary: "turn a folder of numbered NNN_name.sql files applied by hand into a revision chain; --stamp records them as applied",
  usage: "athanor adopt <legacy-folder> [--stamp [--skip-verify] [--scratch-url <url>]]",
  flags: {
    stamp: { value: false, help: "record the chain as applied on the configured database (after checking its schema against the chain's)" },
    "skip-verify": { value: false, help: "stamp without running the chain on a scratch database and comparing schemas" },
    "scratch-url": { value: true, help: "an empty database to run the chain on for the check (default: a new one on the same server, or in memory for SQLite)" },
  },
  async run(context) {
    const folder = context.positionals[0];
    if (folder === undefined) throw new ConfigurationError("adopt needs the legacy folder: athanor adopt ./backend/app/database/migrations");
    if (!context.flags.stamp && (context.flags["skip-verify"] || context.flags["scratch-url"] !== undefined)) {
      throw new ConfigurationError("--skip-verify and --scratch-url only matter with --stamp");
    }
    const { migrationsDirectory, config } = await context.config();
    const scratchUrl = context.flags["scratch-url"];
    const result = await adoptLegacyMigrations({
      legacyDirectory: resolve(context.cwd, folder),
      directory: migrationsDirectory,
      ...(context.flags.stamp ? { stamp: true, engine: await context.engine(), verify: !context.flags["skip-verify"] } : {}),
      ...(typeof scratchUrl === "string" ? { scratchUrl } : {}),
      ...(config.versionTable === undefined ? {} : { versionTable: config.versionTable }),
    });
    if (context.flags.json) {
      context.output.json(result);
      return result.ok ? 0 : 1;
    }
    for (const revision of result.revisions) {
      context.output.line(`  ${revision.file} → ${revision.revision} (${revision.status === "written" ? context.output.paint("green", "written") : "unchanged"})`);
    }
    const stamp = result.stamp;
    if (stamp === undefined) {
      context.output.line(`adopted ${result.revisions.length} file(s); head ${result.head}. A new database: athanor upgrade head. One where they were applied by hand: athanor adopt ${folder} --stamp`);
      return 0;
    }
    for (const difference of stamp.comparison?.differences ?? []) context.output.line(`  ${context.output.paint("red", "differs:")} ${difference}`);
    if (stamp.status === "stamped") {
      context.output.line(`stamped ${result.head}${stamp.comparison === undefined ? " (not verified: --skip-verify)" : ": the live schema matches what the chain makes"}`);
      if (stamp.comparison !== undefined) context.output.line(context.output.paint("dim", `  not compared: ${stamp.comparison.notCompared.join("; ")}`));
      return 0;
    }
    context.output.error(context.output.paint("red", `not stamped: ${stamp.reason}`));
    return 1;
  },
};
