import cluster from "node:cluster";
import type { ServiceConfig } from "../service-config.js";
import { startWorker, type Worker } from "./start-worker.js";

/**
 * Runs a worker until SIGTERM or SIGINT (or, in a cluster, until its primary goes away), then
 * shuts it down gracefully and exits: 0 when everything drained within the bound, 1 otherwise.
 *
 * @example
 * ```ts
 * if (cluster.isWorker) await runWorker(readServiceConfig(process.env, process.argv.slice(2)));
 * ```
 */
export async function runWorker(config: ServiceConfig): Promise<Worker> {
  const worker = await startWorker(config);
  const stop = (reason: string) => {
    worker.app.log.info(`${reason}: shutting down (at most ${config.shutdownTimeoutMillis} ms)`);
    void worker
      .close()
      .then((clean) => {
        if (!clean) worker.app.log.warn("shutdown bound reached: work still in progress was cut off");
        process.exit(clean ? 0 : 1);
      })
      .catch((error: unknown) => {
        worker.app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  if (cluster.isWorker) process.once("disconnect", () => stop("primary gone"));
  return worker;
}
