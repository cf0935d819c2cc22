/**
 * A snapshot of a pool's counters, as returned by `engine.pool.status()`.
 *
 * @example
 * ```ts
 * const { checkedOut, idle, waiting } = engine.pool.status();
 * metrics.gauge("db.pool.checked_out", checkedOut);
 * ```
 */
export interface PoolStatus {
  /** Steady pool size: connections kept open when idle. */
  readonly size: number;
  /** Connections currently open (checked out plus idle). */
  readonly total: number;
  /** Connections currently checked out. */
  readonly checkedOut: number;
  /** Open connections waiting in the pool. */
  readonly idle: number;
  /** Open connections above `size` (burst capacity, closed again when idle). */
  readonly overflow: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
  /** Connections opened since the engine was created. */
  readonly created: number;
  /** Connections closed since the engine was created (recycled, failed pre-ping, overflow, dirty, disposed). */
  readonly destroyed: number;
  /** Checkouts that failed with `PoolTimeoutError`. */
  readonly timeouts: number;
  /** Connections open for pipelined statements, beside the pool (PostgreSQL with `postgres.pipeline` only). */
  readonly pipelineConnections?: number;
  /** Statements in flight on those connections (PostgreSQL with `postgres.pipeline` only). */
  readonly pipelined?: number;
}

/** Renders a status as `size=10 total=10 checkedOut=10 idle=0 …` for messages. */
export function formatPoolStatus(status: PoolStatus): string {
  return Object.entries(status)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
}
