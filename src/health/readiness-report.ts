import type { PoolStatus } from "../pool/pool-status.js";

/** One readiness check: whether it passed, and why not. */
export interface ReadinessCheck {
  readonly ok: boolean;
  /** "connected", "at head", what failed… never holding the password. */
  readonly message: string;
}

/**
 * The result of `checkReadiness()`: ready when the database answers, the pool has room and
 * (when checked) the database is at the migrations' head. Never thrown.
 *
 * @example
 * ```ts
 * const report = await checkReadiness(engine, { migrator });
 * reply.code(report.status === "ready" ? 200 : 503).send(report);
 * ```
 */
export interface ReadinessReport {
  readonly status: "ready" | "not ready";
  readonly database: ReadinessCheck & { readonly version: string | null; readonly latencyMillis: number };
  /** Saturated (not ok) while more callers wait for a connection than `maxPoolWaiting`. */
  readonly pool: ReadinessCheck & PoolStatus;
  /** `null` when no migrations were given to check against. */
  readonly migrations: (ReadinessCheck & { readonly heads: readonly string[]; readonly scriptHeads: readonly string[] }) | null;
}
