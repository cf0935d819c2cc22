import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchTarget, Contender } from "./contender.js";
import type { Sample } from "./harness.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";

const WORKER = fileURLToPath(new URL("./contender-worker.ts", import.meta.url));

/** A contender opened in a process of its own; one request at a time. */
export interface ContenderProcess {
  readonly contender: Contender;
  /** The scenario operations the contender takes part in (`pointSelect`, `join`…). */
  readonly operations: readonly string[];
  /**
   * Runs one measurement of `scenario`; undefined when the contender does not take part in it.
   * With `profile`, under the CPU profiler, the `.cpuprofile` written to that path.
   */
  measure(scenario: string, seconds: number, profile?: string): Promise<Sample | undefined>;
  close(): Promise<void>;
}

export async function startContender(contender: Contender, target: BenchTarget): Promise<ContenderProcess> {
  const child = fork(WORKER, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const request = (message: WorkerRequest): Promise<WorkerReply> => exchange(child, contender.name, message);
  let operations: readonly string[];
  try {
    const reply = await request({ type: "open", contender: contender.name, target });
    operations = reply.type === "opened" ? reply.operations : [];
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    contender,
    operations,
    async measure(scenario, seconds, profile) {
      const reply = await request({ type: "measure", scenario, seconds, ...(profile === undefined ? {} : { profile }) });
      return reply.type === "measured" ? reply.sample : undefined;
    },
    async close() {
      if (!child.connected) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await request({ type: "close" }).catch(() => child.kill());
      await exited;
    },
  };
}

function exchange(child: ChildProcess, name: string, message: WorkerRequest): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply): void => {
      cleanup();
      if (reply.type === "error") reject(new Error(`${name}: ${reply.message}`));
      else resolve(reply);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${name}: its process exited (code ${code}) during "${message.type}"`));
    };
    const cleanup = (): void => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.send(message);
  });
}
