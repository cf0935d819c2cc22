import cluster from "node:cluster";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../build-app.js";
import { createDatabase, type Database } from "../database/create-database.js";
import { serviceRevisions } from "../database/migrations-directory.js";
import { AgentScheduler } from "../scheduler/agent-scheduler.js";
import type { ServiceConfig } from "../service-config.js";
import { workerRelay } from "./cluster-relay.js";

/** A serving worker: its app, its database, and how to stop it. */
export interface Worker {
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly scheduler: AgentScheduler | undefined;
  /** The address the app listens on, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /**
   * Graceful shutdown, bounded by `shutdownTimeoutMillis`: stop accepting connections, finish
   * the requests in flight (their sessions commit or roll back), stop the scheduler (its runs
   * in progress finish), then dispose the engine (every connection closed). Resolves true when
   * everything drained in time. Idempotent.
   */
  close(): Promise<boolean>;
}

/**
 * Starts one worker (the process itself, or one of a cluster's): its own engine, made here,
 * after any fork (seed 004), the app, the scheduler; then listens.
 *
 * @example
 * ```ts
 * const worker = await startWorker(readServiceConfig());
 * process.once("SIGTERM", () => void worker.close().then((clean) => process.exit(clean ? 0 : 1)));
 * ```
 */
export async function startWorker(config: ServiceConfig): Promise<Worker> {
  const database = createDatabase(config);
  const scheduler = config.schedulerEnabled ? new AgentScheduler(database.sessions, { tickMillis: config.schedulerTickMillis }) : undefined;
  let closing = false;
  const app = buildApp({
    sessions: database.sessions,
    logger: { level: config.logLevel },
    migrations: await serviceRevisions(), // read once: start-up migrated with the same scripts
    closeTimeoutMillis: config.shutdownTimeoutMillis,
    ...(cluster.isWorker ? { relay: workerRelay() } : {}),
    ...(scheduler === undefined ? {} : { background: { pause: () => scheduler.stop(config.shutdownTimeoutMillis), resume: () => closing || scheduler.start() } }),
  });
  let url: string;
  try {
    url = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await database.engine.dispose();
    throw error;
  }
  scheduler?.start();

  let closed: Promise<boolean> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      const deadline = Date.now() + config.shutdownTimeoutMillis;
      const schedulerStopped = scheduler?.stop(config.shutdownTimeoutMillis) ?? Promise.resolve(true); // no new ticks from now on
      // Fastify closes the keep-alive connections that are idle when close() starts, and answers
      // requests arriving later with 503 + Connection: close; a connection whose request was in
      // flight becomes idle afterwards and would hold server.close() for the keep-alive timeout.
      const reapIdle = setInterval(() => app.server.closeIdleConnections(), 50);
      const appClosed = withDeadline(app.close().then(() => true), deadline); // stop accepting; drain requests, their sessions and WebSocket messages
      const [drainedRuns, drainedRequests] = await Promise.all([schedulerStopped, appClosed]).finally(() => clearInterval(reapIdle));
      await database.engine.dispose(); // waits pool.disposeGraceMillis for stragglers, then closes every connection
      return drainedRuns && drainedRequests;
    })());
  return { app, database, scheduler, url, close };
}

function withDeadline(work: Promise<boolean>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
