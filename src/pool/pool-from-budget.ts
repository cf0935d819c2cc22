import { ConfigurationError, ConnectionBudgetError } from "../errors.js";
import { budgetArithmetic, validateBudget, type ConnectionBudget } from "./connection-budget.js";

/**
 * Derives `pool.size` and `pool.maxOverflow` from a budget with a known `maxConnections`, so
 * that `workers × (size + maxOverflow) ≤ floor(share × maxConnections) − reserved`. Each
 * worker's share is split two thirds steady (`size`), one third burst (`maxOverflow`).
 * Throws `ConnectionBudgetError` when not even one connection per worker fits.
 *
 * @example
 * ```ts
 * const pool = poolFromBudget({ maxConnections: 100, workers: 8, share: 0.8, reserved: 4 });
 * // { size: 6, maxOverflow: 3 }: 8 × (6 + 3) = 72 ≤ 80 − 4 = 76
 * const engine = createEngine(url, { pool: { ...pool, acquireTimeoutMillis: 5_000 } });
 * ```
 */
export function poolFromBudget(budget: ConnectionBudget & { readonly maxConnections: number }): { size: number; maxOverflow: number } {
  const { workers } = validateBudget(budget);
  if (typeof budget.maxConnections !== "number") {
    throw new ConfigurationError('budget.maxConnections: poolFromBudget needs a number; "server" is read by checkConnectionBudget(engine, budget)');
  }
  const whole = budgetArithmetic(budget, { size: 0, maxOverflow: 0 }, budget.maxConnections);
  const perWorker = Math.floor(whole.available / workers);
  if (perWorker < 1) {
    const arithmetic = budgetArithmetic(budget, { size: 1, maxOverflow: 0 }, budget.maxConnections);
    throw new ConnectionBudgetError(`not even one connection per worker fits the budget: ${arithmetic.text}`, arithmetic.demand, arithmetic.available);
  }
  const size = Math.max(1, Math.ceil((perWorker * 2) / 3));
  return { size, maxOverflow: perWorker - size };
}
