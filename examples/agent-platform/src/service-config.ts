import { parseArgs } from "node:util";

/** Everything the service is configured with, read once at start (seed 004: the primary holds it). */
export interface ServiceConfig {
  /** `DATABASE_URL`, default the embedded SQLite file `./data/agent-platform.db`. */
  readonly databaseUrl: string;
  /** `HOST` (default 127.0.0.1) and `PORT` (default 3000; 0 picks a free port). */
  readonly host: string;
  readonly port: number;
  /** `--workers N` or `WORKERS`: 1 serves in this process; more forks a cluster of workers. */
  readonly workers: number;
  /** `POOL_SIZE` (default 10) and `POOL_MAX_OVERFLOW` (default 10) of each worker's engine. */
  readonly poolSize: number;
  readonly poolMaxOverflow: number;
  /** `CONNECTION_HEADROOM`: PostgreSQL connections kept free beyond the workers' pools (migrations, psql, monitoring). Default 5. */
  readonly connectionHeadroom: number;
  /** `SCHEDULER`: `off` runs no scheduler in this service. */
  readonly schedulerEnabled: boolean;
  /** `SCHEDULER_TICK_MILLIS`: how often the scheduler looks for due runs. Default 1 000. */
  readonly schedulerTickMillis: number;
  /** `SHUTDOWN_TIMEOUT_MILLIS`: the bound on draining requests, sessions and runs at SIGTERM. Default 10 000. */
  readonly shutdownTimeoutMillis: number;
  /** `APPLICATION_NAME`: PostgreSQL's `application_name` of every connection. Default `agent-platform`. */
  readonly applicationName: string;
  /** `LOG_LEVEL`: Fastify's log level. Default `info`. */
  readonly logLevel: string;
}

const DEFAULT_URL = "sqlite:./data/agent-platform.db";

/**
 * Reads the service's configuration from the environment and the command line, refusing
 * anything malformed by name before a connection is made.
 *
 * @example
 * ```ts
 * const config = readServiceConfig(process.env, process.argv.slice(2)); // npm start -- --workers 2
 * ```
 */
export function readServiceConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): ServiceConfig {
  const { values } = parseArgs({ args: [...argv], options: { workers: { type: "string" }, port: { type: "string" } }, strict: true });
  return Object.freeze({
    databaseUrl: env.DATABASE_URL ?? DEFAULT_URL,
    host: env.HOST ?? "127.0.0.1",
    port: integer("PORT", values.port ?? env.PORT, 3000, 0, 65_535),
    workers: integer("--workers / WORKERS", values.workers ?? env.WORKERS, 1, 1, 64),
    poolSize: integer("POOL_SIZE", env.POOL_SIZE, 10, 1, 1_000),
    poolMaxOverflow: integer("POOL_MAX_OVERFLOW", env.POOL_MAX_OVERFLOW, 10, 0, 1_000),
    connectionHeadroom: integer("CONNECTION_HEADROOM", env.CONNECTION_HEADROOM, 5, 0, 1_000),
    schedulerEnabled: env.SCHEDULER !== "off",
    schedulerTickMillis: integer("SCHEDULER_TICK_MILLIS", env.SCHEDULER_TICK_MILLIS, 1_000, 10, 3_600_000),
    shutdownTimeoutMillis: integer("SHUTDOWN_TIMEOUT_MILLIS", env.SHUTDOWN_TIMEOUT_MILLIS, 10_000, 100, 600_000),
    applicationName: env.APPLICATION_NAME ?? "agent-platform",
    logLevel: env.LOG_LEVEL ?? "info",
  });
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return value;
}
