export type { PoolOptions, ResolvedPoolOptions } from "./pool-options.js";
export type { PoolStatus } from "./pool-status.js";
export { budgetArithmetic, type ConnectionBudget, type ConnectionBudgetArithmetic } from "./connection-budget.js";
export { poolFromBudget } from "./pool-from-budget.js";
