import { postgresReachable, testPostgresUrl } from "../../src/testing/index.js";
import { maskUrlText } from "../../src/engine/database-url.js";

/**
 * Decides once per run whether PostgreSQL tests run. Unreachable server: skipped with a
 * message locally, a failed run in CI (CI=true) or with ATHANOR_REQUIRE_POSTGRES=1.
 */
export default async function globalSetup(): Promise<void> {
  const url = testPostgresUrl();
  const reachable = await postgresReachable(url);
  const required = process.env.CI === "true" || process.env.ATHANOR_REQUIRE_POSTGRES === "1";
  if (!reachable && required) {
    throw new Error(`PostgreSQL is required (CI=true) but unreachable at ${maskUrlText(url)}`);
  }
  if (!reachable) {
    process.stderr.write(`\n[athanor tests] PostgreSQL unreachable at ${maskUrlText(url)}: PostgreSQL tests are SKIPPED. Set ATHANOR_TEST_POSTGRES_URL.\n\n`);
  }
  process.env.ATHANOR_TEST_POSTGRES = reachable ? "1" : "0";
}
