import { sql, type Kysely } from "kysely";
import type pg from "pg";
import { MigrationLockLostError, MigrationLockTimeoutError } from "../../errors.js";
import type { MigrationLock } from "../migration-lock.js";
import { mapPostgresConnectError, mapPostgresError } from "./postgres-error-mapper.js";

const POLL_MILLIS = 50;

/**
 * A session-level advisory lock held on a dedicated connection (outside the pool), so the
 * migrator's own transactions can come and go while it is held. PostgreSQL releases it by
 * itself when that connection ends, including when the process is killed.
 *
 * That connection can also die while its migrator works (a restart, `pg_terminate_backend`,
 * a network path that stops answering): the server then releases the lock, and another
 * migrator may take it. So every revision, just before its COMMIT, takes a second,
 * transaction-level advisory lock (the "commit lock") and proves the lock connection still
 * answers; a new holder takes and drops the commit lock before it reads what is applied, so
 * a revision that passed its check while the old connection was alive is committed, and
 * seen, before the new holder plans.
 */
export class PostgresMigrationLock implements MigrationLock {
  readonly #driver: typeof pg;
  readonly #config: pg.ClientConfig;
  readonly #key: string;
  readonly #commitKey: string;
  readonly #checkTimeoutMillis: number;
  #client: pg.Client | undefined;
  /** Why the lock connection is known to be gone. */
  #lost: string | undefined;

  /** @param checkTimeoutMillis how long {@link confirm} waits for the lock connection's answer */
  constructor(driver: typeof pg, config: pg.ClientConfig, name: string, checkTimeoutMillis: number) {
    this.#driver = driver;
    this.#config = config;
    this.#key = name;
    this.#commitKey = `${name}:commit`;
    this.#checkTimeoutMillis = checkTimeoutMillis;
  }

  async acquire(timeoutMillis: number, onWait?: (holder: string | undefined) => void): Promise<void> {
    if (this.#client !== undefined) return;
    const client = new this.#driver.Client({ ...this.#config, application_name: "athanor-migrate" });
    client.on("error", (error) => this.#lose(client, error.message));
    client.on("end", () => this.#lose(client, "its connection was closed"));
    try {
      await client.connect();
    } catch (error) {
      throw mapPostgresConnectError(error);
    }
    const deadline = Date.now() + timeoutMillis;
    try {
      await this.#take(client, this.#key, deadline, timeoutMillis, onWait);
      await this.#take(client, this.#commitKey, deadline, timeoutMillis, undefined);
      await client.query("select pg_advisory_unlock(hashtext($1))", [this.#commitKey]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error instanceof MigrationLockTimeoutError ? error : mapPostgresError(error);
    }
    this.#lost = undefined;
    this.#client = client;
  }

  async confirm(db: Kysely<any>): Promise<void> {
    const client = this.#client;
    if (client === undefined) throw new MigrationLockLostError(`the migration lock "${this.#key}" is not held`);
    await sql`select pg_advisory_xact_lock(hashtext(${this.#commitKey}))`.execute(db);
    if (this.#lost === undefined) {
      try {
        await answered(client.query("select 1"), this.#checkTimeoutMillis);
      } catch (error) {
        this.#lose(client, (error as Error).message);
      }
    }
    if (this.#lost !== undefined) {
      throw new MigrationLockLostError(
        `lost the migration lock "${this.#key}": ${this.#lost}. The server released the lock with that connection, so another migrator may hold it now; this revision was rolled back`,
      );
    }
  }

  async release(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    // Ending the connection releases the lock anyway; the explicit unlock only makes it prompt.
    if (this.#lost === undefined) await answered(client.query("select pg_advisory_unlock(hashtext($1))", [this.#key]), this.#checkTimeoutMillis).catch(() => undefined);
    // With a statement still in flight (an unanswered check or unlock) pg's end() destroys the socket.
    await client.end().catch(() => undefined);
  }

  /** Polls `pg_try_advisory_lock` on `key` until it is granted or `deadline` passes; tells `onWait` who holds it first. */
  async #take(client: pg.Client, key: string, deadline: number, timeoutMillis: number, onWait: ((holder: string | undefined) => void) | undefined): Promise<void> {
    for (let waited = false; ; waited = true) {
      // hashtext() turns the lock name into the advisory lock's integer key on the server.
      const result = await client.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtext($1)) as locked", [key]);
      if (result.rows[0]?.locked === true) return;
      if (!waited && onWait !== undefined) onWait(await lockHolder(client, key));
      if (Date.now() >= deadline) {
        throw new MigrationLockTimeoutError(`another migrator held the migration lock "${this.#key}" for more than ${timeoutMillis} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
    }
  }

  #lose(client: pg.Client, reason: string): void {
    if (client === this.#client) this.#lost ??= reason;
  }
}

/**
 * Who holds the advisory lock on `key`, from pg_locks and pg_stat_activity: a one-argument
 * lock's bigint key is split into `classid` (high half) and `objid` (low half).
 */
async function lockHolder(client: pg.Client, key: string): Promise<string | undefined> {
  const { rows } = await client
    .query<{ pid: number; application_name: string; client_addr: string | null; connected_seconds: number }>(
      `select a.pid, a.application_name, host(a.client_addr) as client_addr, extract(epoch from now() - a.backend_start)::int as connected_seconds
         from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
          and l.objid = (hashtext($1)::bigint & 4294967295)::oid and l.classid = ((hashtext($1)::bigint >> 32) & 4294967295)::oid
        limit 1`,
      [key],
    )
    .catch(() => ({ rows: [] }));
  const holder = rows[0];
  if (holder === undefined) return undefined;
  const from = holder.client_addr === null ? "over a local socket" : `from ${holder.client_addr}`;
  return `pid ${holder.pid} (${holder.application_name || "unnamed"} ${from}, connected ${holder.connected_seconds} s ago)`;
}

/** `query`, or a rejection when it gets no answer within `millis`. */
function answered<T>(query: Promise<T>, millis: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its connection did not answer within ${millis} ms`)), millis);
  });
  return Promise.race([query, silent]).finally(() => clearTimeout(timer));
}
