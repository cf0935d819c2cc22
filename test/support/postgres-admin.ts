import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { testPostgresUrl } from "../../src/testing/index.js";
import { waitUntil } from "./wait-until.js";

export { sleep, waitUntil } from "./wait-until.js";

/** True when this run has no PostgreSQL server (the global setup decided; CI requires one). */
export const postgresUnavailable = process.env.ATHANOR_TEST_POSTGRES === "0";

/** `url` with `application_name` set, so a test can find (and only its own) backends. */
export function withApplicationName(url: string, applicationName: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", applicationName);
  return parsed.toString();
}

/**
 * A superuser connection for looking at and terminating a test's own backends. Every
 * statement filters by database *and* application name: other engineers run tests on the
 * same server at the same time, and their connections must never be touched.
 *
 * @example
 * ```ts
 * const admin = await PostgresAdmin.open();
 * const engine = createEngine(withApplicationName(database.url, "my-test"));
 * // … warm the pool, then:
 * await admin.terminateIdle(databaseOf(database.url), "my-test");
 * await admin.close();
 * ```
 */
export class PostgresAdmin {
  readonly #client: pg.Client;

  private constructor(client: pg.Client) {
    this.#client = client;
  }

  static async open(): Promise<PostgresAdmin> {
    const client = new pg.Client({ connectionString: testPostgresUrl(), application_name: "athanor-test-admin" });
    client.on("error", () => {});
    await client.connect();
    return new PostgresAdmin(client);
  }

  /** Runs a statement on the admin connection (for DDL from "another session"). */
  async query<R extends pg.QueryResultRow = any>(sql: string, values?: unknown[]): Promise<R[]> {
    return (await this.#client.query<R>(sql, values)).rows;
  }

  /** Backend pids of `applicationName` in `database`; `state` filters, e.g. `"idle"`. */
  async pids(database: string, applicationName: string, state?: string): Promise<number[]> {
    const rows = await this.query<{ pid: number }>(
      `select pid from pg_stat_activity
        where datname = $1 and application_name = $2 and ($3::text is null or state = $3) and pid <> pg_backend_pid()
        order by pid`,
      [database, applicationName, state ?? null],
    );
    return rows.map((row) => row.pid);
  }

  /**
   * Terminates the given backends, each only if it still belongs to `database` and
   * `applicationName`. The filter sits in a materialized CTE and `pg_terminate_backend` in the
   * outer select list: in a WHERE clause the planner may order the call before the filters
   * (it does, for an array parameter) and terminate every backend on the server.
   */
  async terminate(database: string, applicationName: string, pids: readonly number[]): Promise<number> {
    if (!database.startsWith("athanor_test_")) throw new Error(`refusing to terminate backends of ${database}: not a test database`);
    if (pids.length === 0) return 0;
    const rows = await this.query<{ terminated: boolean }>(
      `with targets as materialized (
         select pid from pg_stat_activity
          where datname = $1 and application_name = $2 and pid = any($3::int[]) and pid <> pg_backend_pid()
       )
       select pg_terminate_backend(pid) as terminated from targets`,
      [database, applicationName, pids],
    );
    return rows.filter((row) => row.terminated).length;
  }

  /** Terminates every idle backend of `applicationName` in `database`; returns how many. */
  async terminateIdle(database: string, applicationName: string): Promise<number> {
    return this.terminate(database, applicationName, await this.pids(database, applicationName, "idle"));
  }

  /** Resolves once none of `pids` is in `pg_stat_activity` any more. */
  async waitGone(pids: readonly number[]): Promise<void> {
    await waitUntil(`backends ${pids.join(", ")} to exit`, async () => {
      const rows = await this.query("select 1 from pg_stat_activity where pid = any($1::int[])", [pids]);
      return rows.length === 0;
    });
  }

  close(): Promise<void> {
    return this.#client.end();
  }
}

/** The database name of a PostgreSQL URL. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/**
 * Call at describe level: a {@link PostgresAdmin} for a suite that runs on PostgreSQL, opened
 * before its tests and closed after them. The getter returns `undefined` on SQLite.
 */
export function suiteAdmin(ctx: { readonly isPostgres: boolean }): () => PostgresAdmin | undefined {
  let admin: PostgresAdmin | undefined;
  beforeAll(async () => {
    if (ctx.isPostgres) admin = await PostgresAdmin.open();
  });
  afterAll(async () => {
    await admin?.close();
  });
  return () => admin;
}
