import { parseArgs, type ParseArgsConfig } from "node:util";
import { AthanorError } from "../errors.js";
import { scrubUrls } from "../engine/database-url.js";
import type { CliCommand } from "./cli-command.js";
import { CliContext } from "./cli-context.js";
import { CliOutput } from "./cli-output.js";
import { branchesCommand } from "./commands/branches-command.js";
import { checkCommand } from "./commands/check-command.js";
import { currentCommand } from "./commands/current-command.js";
import { downgradeCommand } from "./commands/downgrade-command.js";
import { healthCommand } from "./commands/health-command.js";
import { headsCommand } from "./commands/heads-command.js";
import { historyCommand } from "./commands/history-command.js";
import { initCommand } from "./commands/init-command.js";
import { mergeCommand } from "./commands/merge-command.js";
import { resetCommand } from "./commands/reset-command.js";
import { revisionCommand } from "./commands/revision-command.js";
import { seedCommand } from "./commands/seed-command.js";
import { showCommand } from "./commands/show-command.js";
import { stampCommand } from "./commands/stamp-command.js";
import { upgradeCommand } from "./commands/upgrade-command.js";

/** Exit codes of the `athanor` command. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

const COMMANDS: readonly CliCommand[] = [
  initCommand,
  revisionCommand,
  mergeCommand,
  upgradeCommand,
  downgradeCommand,
  currentCommand,
  historyCommand,
  headsCommand,
  branchesCommand,
  showCommand,
  stampCommand,
  checkCommand,
  seedCommand,
  resetCommand,
  healthCommand,
];

const GLOBAL_FLAGS = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  config: { type: "string" },
} as const;

/**
 * Runs `athanor <command> [args]` and returns the exit code: 0 success, 1 the command failed
 * (a revision failed, the database is unreachable…), 2 usage or configuration error.
 * Errors are one line (the stack with `--verbose`); a password is never printed.
 */
export async function runCli(argv: readonly string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; cwd?: string } = {}): Promise<number> {
  const output = new CliOutput(io.stdout ?? process.stdout, io.stderr ?? process.stderr);
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    output.line(globalHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    output.error(`unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(", ")} (athanor --help)`);
    return EXIT.usage;
  }
  const options: ParseArgsConfig["options"] = { ...GLOBAL_FLAGS };
  for (const [flag, spec] of Object.entries(command.flags)) {
    options[flag] = spec.short === undefined ? { type: spec.value ? "string" : "boolean" } : { type: spec.value ? "string" : "boolean", short: spec.short };
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    // Relative targets ("-1", "+2") are positionals, not flags.
    const relative = rest.filter((token) => /^[+-]\d+$/.test(token));
    const args = rest.filter((token) => !/^[+-]\d+$/.test(token));
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as typeof parsed;
    parsed.positionals.push(...relative);
  } catch (error) {
    output.error(`${(error as Error).message}\n\n${commandHelp(command)}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    output.line(commandHelp(command));
    return EXIT.ok;
  }
  const context = new CliContext(parsed.positionals, parsed.values, output, io.cwd ?? process.cwd());
  try {
    return await command.run(context);
  } catch (error) {
    const known = error instanceof AthanorError;
    const text = scrubUrls(known ? `${error.code}: ${error.message}` : (error as Error)?.message ?? String(error));
    if (parsed.values.json) output.json({ error: { code: known ? error.code : "UNEXPECTED", message: text } });
    else output.error(output.paint("red", `error: ${text}`));
    if (parsed.values.verbose && error instanceof Error && error.stack) output.error(scrubUrls(error.stack));
    return known && (error.code === "CONFIGURATION_ERROR" || error.code === "INVALID_MIGRATION_TARGET") ? EXIT.usage : EXIT.failed;
  } finally {
    await context.close();
  }
}

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "athanor: migrations and database tooling",
    "",
    "usage: athanor <command> [options]",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "global options: --config <path>  --json  --verbose  --help",
    "exit codes: 0 ok, 1 the command failed, 2 usage or configuration error",
  ].join("\n");
}

function commandHelp(command: CliCommand): string {
  const flags = Object.entries(command.flags).map(([flag, spec]) => `  ${spec.short ? `-${spec.short}, ` : ""}--${flag}${spec.value ? " <value>" : ""}  ${spec.help}`);
  return [`usage: ${command.usage}`, "", command.summary, ...(flags.length ? ["", ...flags] : []), "", "global options: --config <path>  --json  --verbose  --help"].join("\n");
}
