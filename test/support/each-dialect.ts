import { afterAll, beforeAll, describe } from "vitest";
import { createTestDatabase, type TestDatabase, type TestDialectName } from "../../src/testing/index.js";

export const ALL_DIALECTS: readonly TestDialectName[] = ["sqlite-memory", "sqlite-file", "postgres", "pglite"];

/** A fresh database for the whole describe block, created in beforeAll and dropped in afterAll. */
export interface SuiteDatabase {
  /** The database URL; valid inside hooks and tests. */
  url(): string;
  /** A further fresh database of the same kind (dropped after the suite). */
  freshUrl(): Promise<string>;
}

/** Per-dialect context handed to a suite: a fresh database for the whole describe block. */
export interface DialectContext extends SuiteDatabase {
  readonly name: TestDialectName;
  /** PostgreSQL SQL and behaviour: a server, or PGlite. */
  readonly isPostgres: boolean;
  readonly isSqlite: boolean;
  /** PGlite: PostgreSQL in this process, one session at a time (no second connection, no server process to reach). */
  readonly isPglite: boolean;
  /** A PostgreSQL server: other connections, other processes, server-side sessions. */
  readonly isServer: boolean;
  /** The PostgreSQL server through PgBouncer in transaction mode (`pooler=transaction`): no session state between transactions. */
  readonly isPgBouncer: boolean;
  /** The PostgreSQL server with `?pipeline=2`: autocommit builder statements share two pipelined connections. */
  readonly isPipelined: boolean;
  /** One writer at a time (SQLite, PGlite): a second transaction waits for the first. */
  readonly singleWriter: boolean;
  /** Another connection can read while a transaction is open (not in-memory SQLite, not PGlite's one session). */
  readonly readerBesideWriter: boolean;
}

/**
 * Registers, at describe level, a beforeAll that creates a fresh `name` database and an
 * afterAll that drops it (with every `freshUrl()` database). Used by `describeEachDialect`
 * and `postgresSuite`.
 */
export function suiteDatabase(name: TestDialectName | SuiteDialectOverride): SuiteDatabase {
  if (name === "pgbouncer") return throughPgBouncer(suiteDatabase("postgres"));
  if (name === "pipelined") return pipelined(suiteDatabase("postgres"));
  let database: TestDatabase | undefined;
  const extra: TestDatabase[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(name);
  });
  afterAll(async () => {
    await Promise.all([database, ...extra].map((db) => db?.drop()));
  });
  return {
    url: () => {
      if (database === undefined) throw new Error("the test database is created in beforeAll; use url() inside hooks and tests");
      return database.url;
    },
    freshUrl: async () => {
      const db = await createTestDatabase(name);
      extra.push(db);
      return db.url;
    },
  };
}

/**
 * Runs the same behavioural suite once per dialect. PostgreSQL is skipped (with the
 * reason printed by the global setup) only when no server is reachable outside CI.
 */
export function describeEachDialect(title: string, suite: (context: DialectContext) => void, dialects: readonly TestDialectName[] = ALL_DIALECTS): void {
  for (const name of suiteDialects(dialects)) {
    const server = name === "postgres" || name === "pgbouncer" || name === "pipelined";
    const skip = server && process.env.ATHANOR_TEST_POSTGRES === "0";
    describe.skipIf(skip)(`${title} [${name}]`, () => {
      const database = suiteDatabase(name);
      suite({
        // A pipelined engine is PostgreSQL in every respect a suite branches on.
        name: (name === "pipelined" ? "postgres" : name) as TestDialectName,
        isPostgres: server || name === "pglite",
        isSqlite: name === "sqlite-memory" || name === "sqlite-file",
        isPglite: name === "pglite",
        isPgBouncer: name === "pgbouncer",
        isPipelined: name === "pipelined",
        isServer: server,
        singleWriter: !server,
        readerBesideWriter: server || name === "sqlite-file",
        url: database.url,
        freshUrl: database.freshUrl,
      });
    });
  }
}

// ---- PgBouncer and pipelining: dialects of the tests only, never in ALL_DIALECTS (they would
// rerun every suite). test/pgbouncer-sessions.test.ts and test/postgres-pipeline-suites.test.ts
// run chosen suites on them with runSuitesOn().

/** The PostgreSQL server through PgBouncer (`pgbouncer`), or with `?pipeline=2` (`pipelined`). */
export type SuiteDialectOverride = "pgbouncer" | "pipelined";

let suiteDialectOverride: readonly SuiteDialectOverride[] | undefined;
let pgbouncerRewrite: ((url: string) => string) | undefined;

/**
 * From now on in this test file, `describeEachDialect` runs each suite that includes
 * PostgreSQL on `dialects` only, and suites without PostgreSQL not at all. For `pgbouncer`,
 * `rewrite` turns a test database's URL into PgBouncer's. Call it before importing the suites.
 */
export function runSuitesOn(dialects: readonly SuiteDialectOverride[], rewrite?: (url: string) => string): void {
  suiteDialectOverride = dialects;
  pgbouncerRewrite = rewrite;
}

/** `url` with `pipeline=2` added: builder statements outside transactions go to two pipelined connections. */
export function pipelinedUrl(url: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}pipeline=2`;
}

function pipelined(database: SuiteDatabase): SuiteDatabase {
  return { url: () => pipelinedUrl(database.url()), freshUrl: async () => pipelinedUrl(await database.freshUrl()) };
}

function suiteDialects(dialects: readonly TestDialectName[]): ReadonlyArray<TestDialectName | SuiteDialectOverride> {
  if (suiteDialectOverride === undefined) return dialects;
  return dialects.includes("postgres") ? suiteDialectOverride : [];
}

function throughPgBouncer(database: SuiteDatabase): SuiteDatabase {
  const rewrite = (url: string) => {
    if (pgbouncerRewrite === undefined) throw new Error("the pgbouncer dialect needs runSuitesOn(['pgbouncer'], bouncer.rewrite) first");
    return pgbouncerRewrite(url);
  };
  return { url: () => rewrite(database.url()), freshUrl: async () => rewrite(await database.freshUrl()) };
}
