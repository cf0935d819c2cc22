export { seed, type Fixtures, type FixtureRow, type SeedSessions } from "./seed.js";
export { ref, isFixtureRef, type FixtureRef } from "./fixture-ref.js";
export type { SeedResult, SeedTableResult } from "./seed-result.js";
