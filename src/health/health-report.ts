import type { PoolStatus } from "../pool/pool-status.js";
import type { ReplicaHealthReport } from "../engine/replicas/replica-status.js";

/**
 * The result of `engine.healthCheck()`: never thrown, never holding the password.
 *
 * @example
 * ```ts
 * app.get("/health", async (_, reply) => {
 *   const report = await engine.healthCheck();
 *   return reply.code(report.status === "ok" ? 200 : 503).send(report);
 * });
 * ```
 */
export interface HealthReport {
  readonly status: "ok" | "error";
  /** "connected", or what went wrong. */
  readonly message: string;
  readonly dialect: "postgres" | "sqlite";
  /** Database name (PostgreSQL) or file path / `:memory:` (SQLite). */
  readonly database: string;
  /** Server version, e.g. "PostgreSQL 15.19" or "SQLite 3.53.2"; null when unreachable. */
  readonly version: string | null;
  readonly host: string | null;
  readonly port: number | null;
  /** Round-trip time of the probe, or time until failure. */
  readonly latencyMillis: number;
  readonly pool: PoolStatus;
  /** With read replicas: each replica's own probe, with its routing state. `status` stays the primary's: reads fall back to it. */
  readonly replicas?: readonly ReplicaHealthReport[];
}
