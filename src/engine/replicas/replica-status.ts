import type { HealthReport } from "../../health/health-report.js";
import type { PoolStatus } from "../../pool/pool-status.js";

/** One replica as `engine.replicas.status()` reports it. */
export interface ReplicaStatus {
  /** `host:port/database`: never the password. */
  readonly name: string;
  /** Reads are routed to it: its last check passed and its lag is within `maxReplicaLagMillis`. */
  readonly inRotation: boolean;
  /** How far behind the primary it was at its last check (0 when caught up); `null` before the first check or when unreachable. */
  readonly lagMillis: number | null;
  /** Why it is out of rotation (unreachable, lagging, not a standby); `null` when in rotation. */
  readonly reason: string | null;
  /** Reads routed to it since the engine was created. */
  readonly reads: number;
  readonly pool: PoolStatus;
}

/**
 * Where reads went, per server, as returned by `engine.replicas.status()`.
 *
 * @example
 * ```ts
 * const { replicas, fallbacks } = engine.replicas.status();
 * for (const replica of replicas) metrics.gauge("db.replica.lag_ms", replica.lagMillis ?? -1, { server: replica.name });
 * metrics.counter("db.replica.fallbacks", fallbacks.unavailable);
 * ```
 */
export interface ReplicasStatus {
  readonly primary: { readonly name: string; readonly pool: PoolStatus };
  readonly replicas: readonly ReplicaStatus[];
  /** Replica-eligible reads that went to the primary: no replica was usable (`unavailable`), or none had replayed this context's writes yet (`readYourWrites`). */
  readonly fallbacks: { readonly unavailable: number; readonly readYourWrites: number };
}

/** A replica's part of `engine.healthCheck()`: its own probe, plus its routing state. */
export interface ReplicaHealthReport extends HealthReport {
  readonly name: string;
  readonly inRotation: boolean;
  readonly lagMillis: number | null;
}
