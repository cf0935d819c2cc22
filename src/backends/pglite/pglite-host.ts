import { ConnectionFailedError } from "../../errors.js";
import { AsyncMutex } from "../../pool/async-mutex.js";
import type { DatabaseUrl } from "../../engine/database-url.js";
import type { PgliteInstance, PgliteModule } from "./pglite-driver.js";
import { bootPglite } from "./pglite-image.js";

/**
 * One PGlite instance and what everyone using it shares: the instance runs one session at a
 * time, so whoever talks to it (an engine's connection, a migration lock) first takes
 * {@link session}. Engines of one process on the same data directory, or the same named
 * in-memory database, share one host: two instances on one directory would corrupt it.
 */
export class PgliteHost {
  readonly pglite: PgliteInstance;
  /** Held by the connection that is talking to the instance: for a whole transaction, or one statement. */
  readonly session = new AsyncMutex();
  /** In-process migration locks by name (the instance belongs to this process alone). */
  readonly migrationLocks = new Map<string, AsyncMutex>();
  readonly key: string | undefined;
  references = 0;

  constructor(pglite: PgliteInstance, key: string | undefined) {
    this.pglite = pglite;
    this.key = key;
  }
}

/** Shared hosts by data directory or memory name, while referenced. */
const hosts = new Map<string, Promise<PgliteHost>>();
/** Hosts being closed: a directory is opened again only once its last instance has closed. */
const closing = new Map<string, Promise<void>>();

/**
 * The host of a `pglite:` URL, started on first use and shared by reference: each call must
 * be paired with one {@link releasePgliteHost}. `pglite::memory:` gets an instance of its own.
 */
export async function openPgliteHost(driver: PgliteModule, url: DatabaseUrl, extensions: Record<string, unknown>): Promise<PgliteHost> {
  const key = url.database === ":memory:" ? undefined : url.database;
  if (key === undefined) {
    const host = new PgliteHost(await boot(driver, url, extensions), undefined);
    host.references = 1;
    return host;
  }
  let opening = hosts.get(key);
  if (opening === undefined) {
    const closed = closing.get(key) ?? Promise.resolve();
    opening = closed.then(() => boot(driver, url, extensions)).then((pglite) => new PgliteHost(pglite, key));
    hosts.set(key, opening);
    opening.catch(() => hosts.delete(key));
  }
  const host = await opening;
  host.references++;
  return host;
}

/** Drops one reference; the last one closes the instance (an in-memory database is then gone). */
export async function releasePgliteHost(host: PgliteHost): Promise<void> {
  host.references--;
  if (host.references > 0) return;
  if (host.pglite.closed) return;
  const closed = host.pglite.close();
  const key = host.key;
  if (key === undefined) return closed;
  hosts.delete(key);
  const done = closed.finally(() => {
    if (closing.get(key) === done) closing.delete(key);
  });
  closing.set(key, done);
  return done;
}

async function boot(driver: PgliteModule, url: DatabaseUrl, extensions: Record<string, unknown>): Promise<PgliteInstance> {
  try {
    return await bootPglite(driver, url.inMemory ? undefined : url.database, extensions);
  } catch (error) {
    throw new ConnectionFailedError(`could not start PGlite on ${url.toString()}: ${(error as Error).message}`, { cause: error });
  }
}
