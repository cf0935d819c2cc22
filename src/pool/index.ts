export type { PoolOptions, ResolvedPoolOptions } from "./pool-options.js";
export type { PoolStatus } from "./pool-status.js";
