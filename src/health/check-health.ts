import type { Backend, BackendConnection } from "../backends/backend.js";
import { revealPassword, type DatabaseUrl } from "../engine/database-url.js";
import type { HealthReport } from "./health-report.js";
import type { ReplicaSet } from "../engine/replicas/replica-set.js";
import type { ReplicaHealthReport } from "../engine/replicas/replica-status.js";

/**
 * Probes the database through the pool, bounded by `timeoutMillis`. Never throws; the
 * password is scrubbed from any message. A probe still waiting for its answer at the deadline
 * has its connection destroyed (a server that stopped answering must not keep it, or a few
 * health checks would saturate the pool); one still waiting for a connection gives it back
 * as soon as it gets one.
 */
export async function checkHealth(backend: Backend, url: DatabaseUrl, timeoutMillis: number, replicas?: ReplicaSet): Promise<HealthReport> {
  if (replicas === undefined) return checkServer(backend, url, timeoutMillis);
  // Each replica is probed beside the primary; the report's status is the primary's (reads fall back to it).
  const [primary, ...probed] = await Promise.all([checkServer(backend, url, timeoutMillis), ...replicas.servers.map((server) => checkServer(server.backend, server.url, timeoutMillis))]);
  const replicaReports: ReplicaHealthReport[] = replicas.servers.map((server, index) => ({
    ...probed[index]!,
    name: server.name,
    inRotation: server.inRotation,
    lagMillis: server.lagMillis,
  }));
  return { ...primary!, replicas: replicaReports };
}

async function checkServer(backend: Backend, url: DatabaseUrl, timeoutMillis: number): Promise<HealthReport> {
  const startedAt = performance.now();
  const base = {
    dialect: url.dialect,
    database: url.database,
    host: url.host ?? null,
    port: url.port ?? null,
  };
  const probe = new Probe(backend);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      probe.abandon();
      reject(new Error(`health check timed out after ${timeoutMillis} ms`));
    }, timeoutMillis);
  });
  try {
    const version = await Promise.race([probe.run(), timeout]);
    return { status: "ok", message: "connected", ...base, version, latencyMillis: elapsed(startedAt), pool: backend.pool.status() };
  } catch (error) {
    const message = scrub(error instanceof Error ? error.message : String(error), url);
    return { status: "error", message, ...base, version: null, latencyMillis: elapsed(startedAt), pool: backend.pool.status() };
  } finally {
    clearTimeout(timer);
  }
}

/** One round trip on a pooled connection, which {@link abandon} takes away from it. */
class Probe {
  readonly #backend: Backend;
  #connection: BackendConnection | undefined;
  #abandoned = false;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  async run(): Promise<string> {
    const pool = this.#backend.pool;
    const connection = await pool.acquire();
    if (this.#abandoned) {
      await pool.release(connection);
      throw new Error("health check abandoned");
    }
    this.#connection = connection;
    try {
      return (await this.#backend.serverInfo(connection)).version;
    } finally {
      if (this.#connection === connection) {
        this.#connection = undefined;
        await pool.release(connection);
      }
    }
  }

  /** Destroys the connection of a probe still waiting for its answer; a later checkout is given back at once. */
  abandon(): void {
    this.#abandoned = true;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection !== undefined) void Promise.resolve(this.#backend.pool.destroy(connection)).catch(() => undefined);
  }
}

function elapsed(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 100) / 100;
}

function scrub(message: string, url: DatabaseUrl): string {
  const password = revealPassword(url);
  return password !== undefined && password.length > 0 ? message.replaceAll(password, "***") : message;
}
