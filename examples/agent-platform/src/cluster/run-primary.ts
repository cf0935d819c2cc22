import cluster, { type Worker as ClusterWorker } from "node:cluster";
import type { ServiceConfig } from "../service-config.js";
import { relayBetweenWorkers } from "./cluster-relay.js";

/** Options of {@link runPrimary}. */
export interface PrimaryOptions {
  /** Called once every worker listens, with the service's URL. */
  readonly onListening?: (url: string) => void;
  /** Where the primary reports worker exits and restarts. Default: stderr. */
  readonly log?: (message: string) => void;
}

/** A worker that dies this many times within a minute is not restarted again: the service stops. */
const MAX_RESTARTS_PER_MINUTE = 5;

/**
 * Seed 004's parent process: holds the configuration, forks `config.workers` workers (each
 * makes its own engine after the fork, in `startWorker`) and restarts one that dies. On
 * SIGTERM or SIGINT it asks every worker to shut down gracefully, waits for all of them, and
 * resolves with the exit code: 0 when every worker exited cleanly. It relays WebSocket
 * messages between workers (each holds its own clients). Workers still alive
 * `shutdownTimeoutMillis` + 5 s later are killed (exit code 1). The primary itself opens no
 * connection while the workers run.
 *
 * @example
 * ```ts
 * process.exitCode = await runPrimary(config, { onListening: (url) => console.log(url) });
 * ```
 */
export function runPrimary(config: ServiceConfig, options: PrimaryOptions = {}): Promise<number> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[primary ${process.pid}] ${message}\n`));
  return new Promise((resolve) => {
    let shuttingDown = false;
    let clean = true;
    let listening = 0;
    let announced = false;
    const restarts: number[] = [];

    const fork = (): ClusterWorker => {
      const worker = cluster.fork();
      worker.once("listening", (address) => {
        listening += 1;
        if (!announced && listening >= config.workers) {
          announced = true;
          options.onListening?.(`http://${address.address ?? config.host}:${address.port}`);
        }
      });
      return worker;
    };

    const shutdown = (reason: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      log(`${reason}: stopping ${Object.keys(cluster.workers ?? {}).length} worker(s)`);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
      setTimeout(() => {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
        clean = false;
      }, config.shutdownTimeoutMillis + 5_000).unref();
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve(clean ? 0 : 1);
    };

    cluster.on("exit", (worker, code, signal) => {
      if (shuttingDown) {
        if (code !== 0) clean = false;
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(clean ? 0 : 1);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        log(`worker ${worker.process.pid} exited (${signal ?? code}); ${restarts.length} exits within a minute: giving up`);
        clean = false;
        shutdown("too many worker exits");
        return;
      }
      log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
      fork();
    });

    cluster.on("message", relayBetweenWorkers); // WebSocket messages from one worker's clients to the others'
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
    for (let i = 0; i < config.workers; i++) fork();
  });
}
