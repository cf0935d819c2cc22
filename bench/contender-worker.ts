import type { BenchTarget, ContenderInstance } from "./contender.js";
import { contenders } from "./contender-registry.js";
import { idFor, sample } from "./harness.js";
import { profiled } from "./cpu-profiler.js";
import { operationOf, scenarios } from "./scenarios.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";

/**
 * One contender in a process of its own (started by `contender-process.ts`), so that no
 * contender's JIT state (which Kysely paths are hot, which shapes they saw) colours another's.
 */
let instance: ContenderInstance | undefined;
let target: BenchTarget | undefined;

process.on("message", (request: WorkerRequest) => {
  handle(request).then(
    (reply) => process.send!(reply),
    (error: unknown) => process.send!({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerReply),
  );
});

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.type) {
    case "open": {
      const contender = contenders.find((candidate) => candidate.dialect === request.target.dialect && candidate.name === request.contender);
      if (contender === undefined) throw new Error(`no contender "${request.contender}" for ${request.target.dialect}`);
      target = request.target;
      instance = await contender.open(request.target);
      const opened = instance;
      return { type: "opened", operations: [...new Set(scenarios.map((scenario) => scenario.operation))].filter((operation) => typeof opened[operation] === "function") };
    }
    case "measure": {
      const scenario = scenarios.find((candidate) => candidate.name === request.scenario);
      const operation = instance && scenario && operationOf(instance, scenario);
      if (operation === undefined || scenario === undefined || target === undefined) return { type: "measured", sample: undefined };
      const rows = target.rows;
      const measure = () => sample((sequence) => operation(idFor(sequence, rows)), { durationMillis: request.seconds * 1_000, concurrency: scenario.concurrency });
      const measured = request.profile === undefined ? await measure() : await profiled(request.profile, measure);
      return { type: "measured", sample: measured };
    }
    case "close":
      await instance?.close();
      instance = undefined;
      setImmediate(() => process.disconnect());
      return { type: "closed" };
  }
}
