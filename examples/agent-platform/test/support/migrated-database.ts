import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createEngine, type Engine } from "athanor";
import { createTemplateDatabase, createTestDatabase, postgresReachable, testPostgresUrl, type TestDatabase } from "athanor/testing";
import { MIGRATIONS_DIRECTORY } from "../../src/database/migrations-directory.js";
import { migrateToHead } from "../../src/database/migrate-to-head.js";
import { schema, type DB } from "../../src/schema.js";

/** The databases the service's tests run on: in-memory SQLite always, PostgreSQL when a server answers. */
export type Dialect = "sqlite" | "postgres";

/** PostgreSQL joins the list when the test server is reachable (CI requires it: see the root vitest global setup). */
export const DIALECTS: readonly Dialect[] = (await postgresReachable(testPostgresUrl())) ? ["sqlite", "postgres"] : ["sqlite"];

/** The PostgreSQL template holding the service's migrated schema, named after the migrations' contents. */
export async function migratedTemplate(): Promise<string> {
  const hash = createHash("sha256");
  for (const name of (await readdir(MIGRATIONS_DIRECTORY)).sort()) hash.update(name).update(await readFile(join(MIGRATIONS_DIRECTORY, name)));
  const template = await createTemplateDatabase({
    key: `agent-platform-${hash.digest("hex").slice(0, 16)}`,
    prepare: async (url) => {
      const engine = createEngine(url, { schema });
      try {
        await migrateToHead(engine);
      } finally {
        await engine.dispose();
      }
    },
  });
  return template.name;
}

/**
 * A fresh database at the migrations' head, committed (not a sandbox): in-memory SQLite
 * migrated here, a SQLite file, or a PostgreSQL copy of the migrated template.
 */
export async function freshDatabase(kind: "sqlite-memory" | "sqlite-file" | "postgres"): Promise<TestDatabase> {
  if (kind === "postgres") return createTestDatabase("postgres", { template: await migratedTemplate() });
  const database = await createTestDatabase(kind);
  if (kind === "sqlite-file") {
    const engine = createEngine(database.url, { schema });
    try {
      await migrateToHead(engine);
    } finally {
      await engine.dispose();
    }
  }
  return database;
}

/**
 * A migrated database for a test file's suite, created in beforeAll and dropped in afterAll;
 * tests run in sandboxes on its engine (`useSandbox(() => database.engine, …)`).
 */
export function useMigratedDatabase(dialect: Dialect): { readonly engine: Engine<DB> } {
  let engine: Engine<DB> | undefined;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await freshDatabase(dialect === "postgres" ? "postgres" : "sqlite-memory");
    engine = createEngine(database.url, { schema, pool: { size: 4, maxOverflow: 2 } });
    if (dialect === "sqlite") await migrateToHead(engine); // an in-memory database lives in its engine
  });
  afterAll(async () => {
    await engine?.dispose();
    await database?.drop();
  });
  return {
    get engine() {
      if (engine === undefined) throw new Error("the database is created in beforeAll");
      return engine;
    },
  };
}
