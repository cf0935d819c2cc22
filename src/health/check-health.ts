import type { Backend } from "../backends/backend.js";
import { revealPassword, type DatabaseUrl } from "../engine/database-url.js";
import type { HealthReport } from "./health-report.js";

/**
 * Probes the database through the pool, bounded by `timeoutMillis`. Never throws; the
 * password is scrubbed from any message.
 */
export async function checkHealth(backend: Backend, url: DatabaseUrl, timeoutMillis: number): Promise<HealthReport> {
  const startedAt = performance.now();
  const base = {
    dialect: url.dialect,
    database: url.database,
    host: url.host ?? null,
    port: url.port ?? null,
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health check timed out after ${timeoutMillis} ms`)), timeoutMillis);
  });
  try {
    const version = await Promise.race([probe(backend), timeout]);
    return { status: "ok", message: "connected", ...base, version, latencyMillis: elapsed(startedAt), pool: backend.pool.status() };
  } catch (error) {
    const message = scrub(error instanceof Error ? error.message : String(error), url);
    return { status: "error", message, ...base, version: null, latencyMillis: elapsed(startedAt), pool: backend.pool.status() };
  } finally {
    clearTimeout(timer);
  }
}

async function probe(backend: Backend): Promise<string> {
  const connection = await backend.pool.acquire();
  try {
    return (await backend.serverInfo(connection)).version;
  } finally {
    await backend.pool.release(connection);
  }
}

function elapsed(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 100) / 100;
}

function scrub(message: string, url: DatabaseUrl): string {
  const password = revealPassword(url);
  return password !== undefined && password.length > 0 ? message.replaceAll(password, "***") : message;
}
