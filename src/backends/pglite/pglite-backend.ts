import type pg from "pg";
import { DriverMissingError } from "../../errors.js";
import { parseDatabaseUrl, type DatabaseUrl } from "../../engine/database-url.js";
import type { ResolvedEngineOptions } from "../../engine/engine-options.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import type { Backend, BackendConnection, ServerInfo } from "../backend.js";
import type { BackendCapabilities } from "../backend-capabilities.js";
import { loadDriver, loadDriverDependency, loadOptionalPackage } from "../load-driver.js";
import { POSTGRES_CAPABILITIES, postgresSqlParts } from "../postgres/postgres-backend.js";
import type { PostgresConnection } from "../postgres/postgres-connection.js";
import type { PgliteModule } from "./pglite-driver.js";
import { PgliteMigrationLock } from "./pglite-migration-lock.js";
import { PglitePool, type PgliteDrivers } from "./pglite-pool.js";
import type { PgProtocol } from "./pglite-protocol-connection.js";

/**
 * PostgreSQL's, less what one in-process session cannot do (a second writer, or a reader
 * beside it), and less COPY FROM STDIN: PGlite 0.5 exits its WebAssembly PostgreSQL on it
 * ("Program terminated with exit(1)"), so insertMany sends INSERTs.
 */
const CAPABILITIES: BackendCapabilities = Object.freeze({
  ...POSTGRES_CAPABILITIES,
  concurrentWriters: false,
  readOnlyBesideWriter: false,
  copyFrom: false,
});

/** Loads PGlite, pg (and its protocol serializer), and pgvector when it is installed. */
export function loadPgliteDrivers(): PgliteDrivers {
  const pglite = loadDriver<PgliteModule>("@electric-sql/pglite");
  let driver: typeof pg;
  try {
    driver = loadDriver<typeof pg>("pg");
  } catch (error) {
    throw new DriverMissingError(`the "pg" package is needed for pglite: URLs too (Athanor speaks to PGlite through pg's protocol client): npm install pg`, { cause: error });
  }
  const vector = loadOptionalPackage<{ vector: unknown }>("@electric-sql/pglite-pgvector")?.vector;
  const protocol = loadDriverDependency<PgProtocol>("pg", "pg-protocol");
  return { pg: driver, pglite, protocol, extensions: vector === undefined ? {} : { vector } };
}

/**
 * Builds the PGlite backend: PostgreSQL compiled to WebAssembly, in this process. It speaks
 * PostgreSQL through pg's protocol client over an in-process wire connection, so SQL, type
 * mapping, row decoding and errors are the PostgreSQL backend's; the pool is a single
 * connection (see {@link PglitePool}). pgvector is loaded when `@electric-sql/pglite-pgvector`
 * is installed.
 */
export function createPgliteBackend(url: DatabaseUrl, options: ResolvedEngineOptions, instrumentation: Instrumentation): Backend {
  const pool = new PglitePool(loadPgliteDrivers(), url, options, instrumentation);
  return {
    dialect: "postgres",
    capabilities: CAPABILITIES,
    pool: pool as unknown as Backend["pool"],
    ...postgresSqlParts,
    serverInfo: async (connection: BackendConnection): Promise<ServerInfo> => {
      const result = await (connection as PostgresConnection).client.query<{ version: string }>("select version()");
      const text = result.rows[0]?.version ?? "";
      const postgres = /^PostgreSQL (\S+)/.exec(text)?.[1] ?? "unknown";
      const version = /PGlite (\S+?)\)/.exec(text)?.[1];
      return { version: `PostgreSQL ${postgres} (PGlite${version === undefined ? "" : ` ${version}`})` };
    },
    createMigrationLock: (name) => new PgliteMigrationLock(() => pool.host(), name),
    // A database of its own, in memory, gone when its engine is disposed.
    createScratchDatabase: async () => ({ url: parseDatabaseUrl("pglite::memory:"), drop: async () => {} }),
  };
}
