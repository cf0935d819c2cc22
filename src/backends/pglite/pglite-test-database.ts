import { parseDatabaseUrl } from "../../engine/database-url.js";
import { loadPgliteDrivers } from "./pglite-backend.js";
import { openPgliteHost, releasePgliteHost } from "./pglite-host.js";

/**
 * A throwaway PGlite database for tests: a named in-memory database
 * (`pglite:memory://<name>`), started now and kept open until `drop()`, so every engine a
 * test creates on its URL finds the same data, as on a server, without paying a start each.
 */
export async function createPgliteTestDatabase(name: string): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const url = parseDatabaseUrl(`pglite:memory://${name}`);
  const drivers = loadPgliteDrivers();
  const host = await openPgliteHost(drivers.pglite, url, drivers.extensions);
  let dropped: Promise<void> | undefined;
  return { url: url.toString(), drop: () => (dropped ??= releasePgliteHost(host)) };
}
