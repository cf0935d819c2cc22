export { seed, type Fixtures, type SeedSessions } from "./seed.js";
export type { SeedResult, SeedTableResult } from "./seed-result.js";
