import type { CliContext } from "./cli-context.js";

/** One `athanor <command>`: its help and what it does. Returns the exit code. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Flags besides the global ones: name → takes a value (true) or is a switch (false). */
  readonly flags: Readonly<Record<string, { readonly value: boolean; readonly short?: string; readonly help: string }>>;
  run(context: CliContext): Promise<number>;
}
