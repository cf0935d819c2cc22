import type Database from "better-sqlite3";
import { SqliteAdapter, SqliteIntrospector, type Kysely } from "kysely";
import { parseDatabaseUrl, type DatabaseUrl } from "../../engine/database-url.js";
import type { ResolvedEngineOptions } from "../../engine/engine-options.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import type { Backend, ServerInfo } from "../backend.js";
import { defaultCapabilities, type BackendCapabilities } from "../backend-capabilities.js";
import { loadDriver } from "../load-driver.js";
import { SqliteMigrationLock } from "./sqlite-migration-lock.js";
import { SqlitePool } from "./sqlite-pool.js";
import { SqliteQueryCompiler } from "./sqlite-query-compiler.js";
import { sqliteTypeMapping } from "./sqlite-type-mapping.js";

const CAPABILITIES: BackendCapabilities = Object.freeze({
  ...defaultCapabilities,
  transactionalDdl: true,
  returning: true,
  rowLocks: false,
  isolationLevels: false,
  // SQLITE_MAX_VARIABLE_NUMBER is 32766 since SQLite 3.32.
  maxParameters: 32_766,
  concurrentWriters: false,
});

/** Builds the SQLite backend: better-sqlite3, one writer plus readers, Kysely's SQLite compiler. */
export function createSqliteBackend(url: DatabaseUrl, options: ResolvedEngineOptions, instrumentation: Instrumentation): Backend {
  const driver = loadDriver<typeof Database>("better-sqlite3");
  const pool = new SqlitePool(driver, url, options, instrumentation);
  return {
    dialect: "sqlite",
    capabilities: url.inMemory ? CAPABILITIES : Object.freeze({ ...CAPABILITIES, readOnlyBesideWriter: true }),
    pool,
    typeMapping: sqliteTypeMapping,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
    serverInfo: async (): Promise<ServerInfo> => {
      const row = pool.autocommitReader().database.prepare("select sqlite_version() as version").get() as { version: string };
      return { version: `SQLite ${row.version}` };
    },
    createMigrationLock: () => new SqliteMigrationLock(driver, url.inMemory ? undefined : url.database, pool),
    // Each engine on sqlite::memory: has a database of its own, gone when the engine is disposed.
    createScratchDatabase: async () => ({ url: parseDatabaseUrl("sqlite::memory:"), drop: async () => {} }),
  };
}
