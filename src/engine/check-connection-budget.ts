import { ConnectionBudgetError } from "../errors.js";
import { budgetArithmetic, validateBudget, type ConnectionBudget, type ConnectionBudgetArithmetic } from "../pool/connection-budget.js";
import type { Engine } from "./engine.js";

/**
 * Checks, at start, that every process's pool fits the server: `workers × (pool.size +
 * pool.maxOverflow) ≤ floor(share × max_connections) − reserved`, with `max_connections` and
 * the server's reserved connections read from the server unless `maxConnections` is given.
 * Throws `ConnectionBudgetError` showing the arithmetic; resolves with it when it fits, or
 * with `undefined` on a database without a shared connection limit (SQLite, PGlite).
 *
 * @example
 * ```ts
 * const engine = createEngine(process.env.DATABASE_URL!, { pool: { size: 10, maxOverflow: 5 } });
 * await checkConnectionBudget(engine, { workers: Number(process.env.WEB_CONCURRENCY ?? 1), share: 0.8 });
 * ```
 */
export async function checkConnectionBudget(engine: Engine, budget: ConnectionBudget): Promise<ConnectionBudgetArithmetic | undefined> {
  validateBudget(budget);
  const { size, maxOverflow } = engine.options.pool;
  // Pipelined connections (postgres.pipeline) are opened beside the pool: they count too.
  const pipeline = engine.backend.pipeline === undefined ? 0 : engine.options.postgres.pipeline;
  let arithmetic: ConnectionBudgetArithmetic;
  if (typeof budget.maxConnections === "number") {
    arithmetic = budgetArithmetic(budget, { size, maxOverflow, pipeline }, budget.maxConnections);
  } else {
    const { backend } = engine;
    if (backend.connectionLimits === undefined) return undefined;
    const connection = await backend.pool.acquire();
    let limits;
    try {
      limits = await backend.connectionLimits(connection);
    } finally {
      await backend.pool.release(connection);
    }
    arithmetic = budgetArithmetic(budget, { size, maxOverflow, pipeline }, limits.maxConnections, limits.reserved);
  }
  if (arithmetic.demand > arithmetic.available) {
    throw new ConnectionBudgetError(`the pools would exceed the connection budget: ${arithmetic.text}; lower pool.size or pool.maxOverflow (poolFromBudget derives them)${pipeline > 0 ? " or postgres.pipeline" : ""}, or raise max_connections`, arithmetic.demand, arithmetic.available);
  }
  return arithmetic;
}
