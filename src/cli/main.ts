import { createRequire } from "node:module";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CliCommand } from "./cli-command.js";
import { CliContext } from "./cli-context.js";
import { CliOutput } from "./cli-output.js";
import { errorJson, errorLines, errorStack } from "./error-lines.js";
import { adoptCommand } from "./commands/adopt-command.js";
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

/**
 * Exit codes of the `athanor` command, one policy for every command:
 * - `0`: done;
 * - `1`: the command ran and failed, or found a problem: a revision failed, the database is
 *   unreachable, `check` found differences, `health` is not ok, the migrations' state refuses;
 * - `2`: the request is wrong, and nothing was done: an unknown command or flag, a missing
 *   or invalid argument, a target or revision that names nothing (or several things), an
 *   invalid configuration file or URL.
 */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

/** Error codes that mean "the request is wrong" (exit 2). */
const USAGE_CODES: ReadonlySet<string> = new Set(["CONFIGURATION_ERROR", "ADOPT_REFUSED", "INVALID_MIGRATION_TARGET", "UNKNOWN_REVISION", "AMBIGUOUS_REVISION", "MULTIPLE_HEADS"]);

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
  adoptCommand,
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
 * Runs `athanor <command> [args]` and returns the exit code (see {@link EXIT}).
 * An error is one line, then the database's detail and hint when it gave them (the stack with
 * `--verbose`); a password is never printed.
 */
export async function runCli(argv: readonly string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; cwd?: string } = {}): Promise<number> {
  const output = new CliOutput(io.stdout ?? process.stdout, io.stderr ?? process.stderr);
  const [name, ...rest] = argv;
  if (name === undefined) {
    output.error(globalHelp());
    return EXIT.usage;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    output.line(globalHelp());
    return EXIT.ok;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    output.line(packageVersion());
    return EXIT.ok;
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
    const described = errorJson(error);
    if (parsed.values.json) output.json({ error: described });
    else for (const line of errorLines(error)) output.error(output.paint("red", line));
    const stack = parsed.values.verbose ? errorStack(error) : undefined;
    if (stack !== undefined) output.error(stack);
    return USAGE_CODES.has(described.code) ? EXIT.usage : EXIT.failed;
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
    "global options: --config <path>  --json  --verbose  --help  --version",
    "exit codes: 0 done; 1 the command failed or found a problem; 2 the request is wrong (usage, arguments, configuration), nothing done",
  ].join("\n");
}

/** This package's version, from its own package.json (found through the package's self-reference). */
function packageVersion(): string {
  return (createRequire(import.meta.url)("athanor/package.json") as { version: string }).version;
}

function commandHelp(command: CliCommand): string {
  const flags = Object.entries(command.flags).map(([flag, spec]) => `  ${spec.short ? `-${spec.short}, ` : ""}--${flag}${spec.value ? " <value>" : ""}  ${spec.help}`);
  return [`usage: ${command.usage}`, "", command.summary, ...(flags.length ? ["", ...flags] : []), "", "global options: --config <path>  --json  --verbose  --help"].join("\n");
}
