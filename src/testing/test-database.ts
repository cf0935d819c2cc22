import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDriver } from "../backends/load-driver.js";
import type pg from "pg";
import { parseDatabaseUrl } from "../engine/database-url.js";

/** The database kinds a behavioural suite runs against. */
export type TestDialectName = "sqlite-memory" | "sqlite-file" | "postgres";

/** A throwaway database: its URL, and `drop()` to remove it. */
export interface TestDatabase {
  readonly name: TestDialectName;
  readonly url: string;
  drop(): Promise<void>;
}

/** Default server for PostgreSQL tests; override with `ATHANOR_TEST_POSTGRES_URL`. */
export const DEFAULT_TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

/** The PostgreSQL URL tests use as their admin connection. */
export function testPostgresUrl(): string {
  return process.env.ATHANOR_TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL;
}

/**
 * Creates an isolated database: a fresh in-memory SQLite, a temporary SQLite file, or a
 * new PostgreSQL database (created from the admin URL, dropped with `drop()`).
 *
 * @example
 * ```ts
 * const database = await createTestDatabase("postgres");
 * const engine = createEngine(database.url);
 * // …
 * await engine.dispose();
 * await database.drop();
 * ```
 */
export async function createTestDatabase(name: TestDialectName, adminUrl: string = testPostgresUrl()): Promise<TestDatabase> {
  const suffix = randomBytes(6).toString("hex");
  if (name === "sqlite-memory") return { name, url: "sqlite::memory:", drop: async () => {} };
  if (name === "sqlite-file") {
    const path = join(tmpdir(), `athanor-test-${suffix}.db`);
    return {
      name,
      url: `sqlite:${path}`,
      drop: async () => {
        await Promise.all(["", "-wal", "-shm", "-journal"].map((ext) => rm(`${path}${ext}`, { force: true })));
      },
    };
  }
  const database = `athanor_test_${suffix}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${database}`));
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (client) => client.query(`drop database if exists ${database} with (force)`)).then(() => undefined),
  };
}

/** True when the PostgreSQL server at `adminUrl` answers. */
export async function postgresReachable(adminUrl: string = testPostgresUrl()): Promise<boolean> {
  try {
    await withAdmin(adminUrl, (client) => client.query("select 1"));
    return true;
  } catch {
    return false;
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const driver = loadDriver<typeof pg>("pg");
  const parsed = parseDatabaseUrl(adminUrl);
  const client = new driver.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000, database: parsed.database });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
