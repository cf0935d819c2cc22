import { randomBytes } from "node:crypto";
import pg from "pg";
import { GROUPS } from "./bench-schema.js";

export const DEFAULT_BENCH_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

/** A database of its own for one bench run, dropped afterwards. */
export interface PostgresFixture {
  readonly url: string;
  /** Empties `bench_events` (bulk inserts add 10,000 rows a call), so every measurement starts on the same data. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

/** Creates `athanor_bench_<random>` on the admin server with `rows` items. */
export async function createPostgresFixture(adminUrl: string, rows: number): Promise<PostgresFixture> {
  const database = `athanor_bench_${randomBytes(5).toString("hex")}`;
  await withClient(adminUrl, (client) => client.query(`create database ${database}`));
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const drop = async (): Promise<void> => {
    await withClient(adminUrl, (client) => client.query(`drop database if exists ${database} with (force)`));
  };
  try {
    await withClient(url.toString(), async (client) => {
      await client.query("create table bench_groups (id integer primary key, label text not null)");
      await client.query("create table bench_items (id integer primary key, name text not null, counter integer not null, group_id integer not null references bench_groups (id))");
      await client.query("create table bench_events (id bigserial primary key, item_id integer not null, amount integer not null)");
      await client.query("insert into bench_groups select g, 'group ' || g from generate_series(1, $1::integer) as g", [GROUPS]);
      await client.query("insert into bench_items select i, 'item ' || i, 0, i % $2 + 1 from generate_series(1, $1::integer) as i", [rows, GROUPS]);
      await client.query("analyze");
    });
  } catch (error) {
    await drop();
    throw error;
  }
  const reset = async (): Promise<void> => {
    await withClient(url.toString(), (client) => client.query("truncate bench_events restart identity"));
  };
  return { url: url.toString(), reset, drop };
}

/** True when the server answers within a few seconds. */
export async function postgresReachable(url: string): Promise<boolean> {
  try {
    await withClient(url, (client) => client.query("select 1"), 3_000);
    return true;
  } catch {
    return false;
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>, connectionTimeoutMillis = 10_000): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A `pg.Pool` for a contender. Idle clients' errors are ignored: without a listener pg.Pool re-throws them and ends the bench. */
export function benchPgPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", () => undefined);
  return pool;
}
