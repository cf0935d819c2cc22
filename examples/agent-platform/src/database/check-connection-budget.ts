import { sql } from "kysely";
import type { Engine } from "athanor";
import { ConnectionBudgetError } from "./connection-budget-error.js";

/** What the workers' pools may open, against what the server allows. */
export interface ConnectionBudget {
  readonly workers: number;
  /** `pool.size + pool.maxOverflow`: the most one worker's engine opens. */
  readonly perWorker: number;
  readonly headroom: number;
  /** `workers × perWorker + headroom`. */
  readonly required: number;
  /** `max_connections − superuser_reserved_connections`. */
  readonly available: number;
  readonly maxConnections: number;
  /** Connections open on the server right now (every application's). */
  readonly inUse: number;
}

/** How the service will be run. */
export interface BudgetInput {
  readonly workers: number;
  readonly poolSize: number;
  readonly poolMaxOverflow: number;
  readonly headroom: number;
}

/**
 * Checks, before any worker starts, that every worker's pool at its fullest plus a headroom
 * fits in the server's `max_connections` (less the superuser reserve), so an overloaded
 * cluster fails at start with numbers instead of with "too many clients" under load.
 * SQLite has no connection limit: the result is `undefined`.
 *
 * @example
 * ```ts
 * await checkConnectionBudget(engine, { workers: 4, poolSize: 10, poolMaxOverflow: 20, headroom: 5 });
 * // ConnectionBudgetError: 4 workers × (10 + 20) + 5 headroom = 125 connections, but the server allows 97 …
 * ```
 */
export async function checkConnectionBudget(engine: Engine, input: BudgetInput): Promise<ConnectionBudget | undefined> {
  // LIBRARY GAP: the engine does not report the server's connection limit, so the service asks
  // PostgreSQL itself and branches on the dialect (see the service's README).
  if (engine.dialect !== "postgres") return undefined;
  const { rows } = await sql<{ max: number; reserved: number; inUse: number }>`
    select current_setting('max_connections')::int as max,
           current_setting('superuser_reserved_connections')::int as reserved,
           (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as "inUse"`.execute(engine.db);
  const { max, reserved, inUse } = rows[0]!;
  const perWorker = input.poolSize + input.poolMaxOverflow;
  const required = input.workers * perWorker + input.headroom;
  const budget: ConnectionBudget = { workers: input.workers, perWorker, headroom: input.headroom, required, available: max - reserved, maxConnections: max, inUse };
  if (required > budget.available) {
    throw new ConnectionBudgetError(
      `connection budget exceeded: ${input.workers} worker(s) × (pool size ${input.poolSize} + max overflow ${input.poolMaxOverflow}) + ${input.headroom} headroom = ${required} connections, ` +
        `but the server allows ${budget.available} (max_connections ${max} − ${reserved} reserved for superusers; ${inUse} open now). ` +
        `Lower WORKERS, POOL_SIZE or POOL_MAX_OVERFLOW, or raise max_connections.`,
    );
  }
  return budget;
}
