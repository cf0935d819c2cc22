import { createHash, randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDriver } from "../backends/load-driver.js";
import type pg from "pg";
import { parseDatabaseUrl } from "../engine/database-url.js";
import { quoteIdentifier } from "../backends/quote-identifier.js";
import { createPgliteTestDatabase } from "../backends/pglite/pglite-test-database.js";

/** The database kinds a behavioural suite runs against. */
export type TestDialectName = "sqlite-memory" | "sqlite-file" | "postgres" | "pglite";

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

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** The PostgreSQL server's admin URL (default {@link testPostgresUrl}). */
  readonly adminUrl?: string;
  /** PostgreSQL: copy this template database ({@link createTemplateDatabase}) instead of starting empty. */
  readonly template?: string;
}

/**
 * Creates an isolated database: a fresh in-memory SQLite, a temporary SQLite file, a PGlite
 * database in memory (`pglite:memory://<random name>`, open until `drop()`, shared by every
 * engine of this process on its URL; needs `@electric-sql/pglite`), or a new PostgreSQL database (created from the admin URL, dropped with `drop()`), optionally a
 * copy of a migrated template (`CREATE DATABASE … TEMPLATE …`: a copy costs milliseconds,
 * migrating costs seconds). Names are random, so parallel workers and parallel CI jobs on one
 * server never collide.
 *
 * @example
 * ```ts
 * const database = await createTestDatabase("postgres", { template: template.name });
 * const engine = createEngine(database.url, { schema });
 * // …
 * await engine.dispose();
 * await database.drop();
 * ```
 */
export async function createTestDatabase(name: TestDialectName, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const suffix = randomBytes(6).toString("hex");
  if (name === "sqlite-memory") return { name, url: "sqlite::memory:", drop: async () => {} };
  if (name === "pglite") {
    const database = await createPgliteTestDatabase(`athanor-test-${suffix}`);
    return { name, url: database.url, drop: database.drop };
  }
  if (name === "sqlite-file") {
    const path = join(tmpdir(), `athanor-test-${suffix}.db`);
    return {
      name,
      url: `sqlite:${path}`,
      drop: async () => {
        await Promise.all(["", "-wal", "-shm", "-journal", ".migrate-lock", ".migrate-lock.holder"].map((ext) => rm(`${path}${ext}`, { force: true })));
      },
    };
  }
  const adminUrl = options.adminUrl ?? testPostgresUrl();
  const database = `athanor_test_${suffix}`;
  const template = options.template === undefined ? "" : ` template ${quoteIdentifier(options.template)}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${database}${template}`));
  return {
    name,
    url: databaseUrl(adminUrl, database),
    drop: () => withAdmin(adminUrl, (client) => client.query(`drop database if exists ${database} with (force)`)).then(() => undefined),
  };
}

/** Options of {@link createTemplateDatabase}. */
export interface TemplateDatabaseOptions {
  /**
   * What the template holds, as a string: it names the template, so a changed `key` (new
   * migrations, a changed schema) makes a new one and an unchanged key reuses the last run's.
   * E.g. the checksums of the migrations folder's revisions, joined.
   */
  readonly key: string;
  /** Fills the new template database (runs migrations, `initializeDatabase`, seeds), given its URL. */
  prepare(url: string): Promise<void>;
  readonly adminUrl?: string;
}

/** A template database on the PostgreSQL server. */
export interface TemplateDatabase {
  readonly name: string;
  /** True when this call built it, false when an earlier run (or a concurrent worker) had. */
  readonly created: boolean;
}

/**
 * Builds, once per `key`, a PostgreSQL template database that test databases are copied
 * from (`createTestDatabase("postgres", { template: name })`): migrate once, then every
 * worker, test file or test gets a migrated database in milliseconds. Safe when several
 * workers or CI jobs on one server call it at once: an advisory lock lets one build it and
 * the others wait and reuse it. The template is marked `IS_TEMPLATE` and closed to
 * connections, so nothing changes it by accident; drop it with {@link dropTemplateDatabase}.
 *
 * @example
 * ```ts
 * // vitest globalSetup
 * const template = await createTemplateDatabase({
 *   key: (await loadRevisionScripts("./migrations")).map((script) => script.checksum).join(),
 *   prepare: async (url) => {
 *     const engine = createEngine(url);
 *     await createMigrator(engine, { scripts: await loadRevisionScripts("./migrations") }).upgrade("head");
 *     await engine.dispose();
 *   },
 * });
 * ```
 */
export async function createTemplateDatabase(options: TemplateDatabaseOptions): Promise<TemplateDatabase> {
  const adminUrl = options.adminUrl ?? testPostgresUrl();
  const name = `athanor_template_${createHash("sha256").update(options.key).digest("hex").slice(0, 16)}`;
  return withAdmin(adminUrl, async (client) => {
    // One builder per name across processes; the others wait here, then find it ready.
    await client.query("select pg_advisory_lock(hashtext($1))", [name]);
    try {
      const { rows } = await client.query<{ ready: boolean }>("select datistemplate as ready from pg_database where datname = $1", [name]);
      if (rows[0]?.ready === true) return { name, created: false };
      // A template left half-built by a crashed run is rebuilt.
      await client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
      await client.query(`create database ${quoteIdentifier(name)}`);
      try {
        await options.prepare(databaseUrl(adminUrl, name));
        await client.query(`alter database ${quoteIdentifier(name)} with is_template true allow_connections false`);
        // Connections the preparation left behind would block every copy.
        await client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [name]);
      } catch (error) {
        await client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
        throw error;
      }
      return { name, created: true };
    } finally {
      await client.query("select pg_advisory_unlock(hashtext($1))", [name]);
    }
  });
}

/** Drops a template database made by {@link createTemplateDatabase}. */
export async function dropTemplateDatabase(name: string, adminUrl: string = testPostgresUrl()): Promise<void> {
  await withAdmin(adminUrl, async (client) => {
    await client.query(`alter database ${quoteIdentifier(name)} with is_template false`).catch(() => undefined);
    await client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
  });
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
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
