import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The repository root: children run from it, as `npm start` does. */
export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** A TypeScript program run with `node --import tsx`, its output read line by line. */
export interface Child {
  readonly process: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /**
   * Resolves with the first stdout line matching, from line `from` on (default 0: past lines
   * count), or rejects after `timeoutMillis` or when the program ends without one.
   */
  waitFor(pattern: RegExp, timeoutMillis?: number, from?: number): Promise<string>;
  /** Writes a line to its stdin. */
  tell(line: string): void;
  /** Resolves with the exit code (or the signal's name) once it exits. */
  readonly exited: Promise<number | string>;
  /** stderr so far, for failure messages. */
  stderr(): string;
}

/**
 * Starts `node --import tsx <script>` (a path relative to the repository root) with `env`
 * added to this process's environment.
 */
export function runTypeScript(script: string, env: Record<string, string>, args: readonly string[] = []): Child {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const listener of listeners) listener(line);
  });
  const exited = new Promise<number | string>((resolve) => child.once("close", (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    process: child,
    lines,
    stderr: () => stderr,
    tell: (line) => void child.stdin!.write(`${line}\n`),
    exited,
    waitFor(pattern, timeoutMillis = 30_000, from = 0) {
      const found = lines.slice(from).find((line) => pattern.test(line));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const listener = (line: string) => {
          if (!pattern.test(line)) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${script}: no line matching ${pattern} within ${timeoutMillis} ms\nstdout: ${lines.join("\n")}\nstderr: ${stderr}`));
        }, timeoutMillis);
        const gone = () => {
          cleanup();
          reject(new Error(`${script} exited before a line matching ${pattern}\nstdout: ${lines.join("\n")}\nstderr: ${stderr}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(listener);
          child.off("close", gone);
        };
        listeners.add(listener);
        child.once("close", gone);
      });
    },
  };
}
