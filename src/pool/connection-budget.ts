import { ConfigurationError } from "../errors.js";

/**
 * How many connections one server grants to all the processes of a service: every worker
 * process on every host has its own pool, and together they must stay below the server's
 * `max_connections`.
 *
 * @example
 * ```ts
 * // 3 hosts × 4 workers, 80 % of the server for this service, 5 kept for admin and migrations
 * const budget: ConnectionBudget = { workers: 12, share: 0.8, reserved: 5 };
 * ```
 */
export interface ConnectionBudget {
  /** Processes that each run a pool against this server: hosts × worker processes per host. */
  readonly workers: number;
  /**
   * The server's connection limit. `"server"` (the default) reads `max_connections` and
   * `superuser_reserved_connections` from the server (`checkConnectionBudget` only).
   */
  readonly maxConnections?: number | "server";
  /** Fraction of the limit this service may use, in (0, 1]: other services, replicas' tools, psql. Default 1. */
  readonly share?: number;
  /** Connections kept free besides the server's own reservation: migrations, cron jobs, an admin shell. Default 0. */
  readonly reserved?: number;
}

/** The two sides of a budget: what the pools may open and what the server grants them. */
export interface ConnectionBudgetArithmetic {
  readonly workers: number;
  readonly size: number;
  readonly maxOverflow: number;
  /** Pipelined connections per worker, beside the pool (`postgres.pipeline`); 0 without. */
  readonly pipeline: number;
  /** `workers × (size + maxOverflow + pipeline)`. */
  readonly demand: number;
  readonly maxConnections: number;
  readonly share: number;
  /** `reserved` plus the server's `superuser_reserved_connections` (when read from the server). */
  readonly reserved: number;
  /** `floor(share × maxConnections) − reserved`. */
  readonly available: number;
  /** The arithmetic as one line: `4 workers × (10 + 5) = 60 connections ≤ 0.8 × 100 max_connections − 3 reserved = 77`. */
  readonly text: string;
}

/** Validates a budget's fields (not `maxConnections: "server"`, which needs a server). Throws `ConfigurationError` naming the field. */
export function validateBudget(budget: ConnectionBudget): { workers: number; share: number; reserved: number } {
  if (typeof budget !== "object" || budget === null) throw new ConfigurationError("budget: expected an object like { workers: 4, share: 0.8 }");
  const known = new Set(["workers", "maxConnections", "share", "reserved"]);
  for (const key of Object.keys(budget)) {
    if (!known.has(key)) throw new ConfigurationError(`budget.${key}: unknown option (expected workers, maxConnections, share, reserved)`);
  }
  const { workers, share = 1, reserved = 0, maxConnections } = budget;
  if (!Number.isInteger(workers) || workers < 1) throw new ConfigurationError(`budget.workers: expected an integer ≥ 1 (hosts × worker processes), got ${String(workers)}`);
  if (typeof share !== "number" || !(share > 0 && share <= 1)) throw new ConfigurationError(`budget.share: expected a fraction in (0, 1], got ${String(share)}`);
  if (!Number.isInteger(reserved) || reserved < 0) throw new ConfigurationError(`budget.reserved: expected an integer ≥ 0, got ${String(reserved)}`);
  if (maxConnections !== undefined && maxConnections !== "server" && (!Number.isInteger(maxConnections) || maxConnections < 1)) {
    throw new ConfigurationError(`budget.maxConnections: expected an integer ≥ 1 or "server", got ${String(maxConnections)}`);
  }
  return { workers, share, reserved };
}

/**
 * The arithmetic of a budget for pools of `size + maxOverflow` connections (plus `pipeline`
 * pipelined ones, when given), against a known limit. Pure: `checkConnectionBudget` applies it
 * to a server's settings.
 *
 * @example
 * ```ts
 * budgetArithmetic({ workers: 4, share: 0.8 }, { size: 10, maxOverflow: 5 }, 100, 3).text;
 * // "4 workers × (10 + 5) = 60 connections ≤ 0.8 × 100 max_connections − 3 reserved = 77"
 * ```
 */
export function budgetArithmetic(
  budget: ConnectionBudget,
  pool: { readonly size: number; readonly maxOverflow: number; readonly pipeline?: number },
  maxConnections: number,
  serverReserved = 0,
): ConnectionBudgetArithmetic {
  const { workers, share, reserved: own } = validateBudget(budget);
  const reserved = own + serverReserved;
  const pipeline = pool.pipeline ?? 0;
  const demand = workers * (pool.size + pool.maxOverflow + pipeline);
  const perWorker = pipeline > 0 ? `${pool.size} + ${pool.maxOverflow} + ${pipeline} pipelined` : `${pool.size} + ${pool.maxOverflow}`;
  const available = Math.floor(share * maxConnections) - reserved;
  const shared = share === 1 ? `${maxConnections} max_connections` : `${share} × ${maxConnections} max_connections`;
  const text = `${workers} worker${workers === 1 ? "" : "s"} × (${perWorker}) = ${demand} connections ${demand <= available ? "≤" : ">"} ${shared} − ${reserved} reserved = ${available}`;
  return { workers, size: pool.size, maxOverflow: pool.maxOverflow, pipeline, demand, maxConnections, share, reserved, available, text };
}
