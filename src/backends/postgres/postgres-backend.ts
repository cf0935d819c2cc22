import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Kysely } from "kysely";
import type pg from "pg";
import type { DatabaseUrl } from "../../engine/database-url.js";
import type { ResolvedEngineOptions } from "../../engine/engine-options.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import type { Backend, BackendConnection, ServerInfo } from "../backend.js";
import { defaultCapabilities, type BackendCapabilities } from "../backend-capabilities.js";
import { postgresConnectionLimits } from "./postgres-connection-limits.js";
import { loadDriver } from "../load-driver.js";
import { PoolerIncompatibleError } from "../../errors.js";
import type { PostgresConnection } from "./postgres-connection.js";
import { PostgresMigrationLock } from "./postgres-migration-lock.js";
import { PostgresTableMigrationLock } from "./postgres-table-migration-lock.js";
import { PostgresTransactionMigrationLock } from "./postgres-transaction-migration-lock.js";
import { PostgresPool } from "./postgres-pool.js";
import { postgresReplicationProbe } from "./postgres-replication-probe.js";
import { createPostgresScratchDatabase } from "./postgres-scratch-database.js";
import { urlClientConfig } from "./postgres-url-config.js";
import { postgresTypeMapping, postgresTypeParsers } from "./postgres-type-mapping.js";

/** What a PostgreSQL server can do (PGlite starts from it). */
export const POSTGRES_CAPABILITIES: BackendCapabilities = Object.freeze({
  ...defaultCapabilities,
  transactionalDdl: true,
  returning: true,
  rowLocks: true,
  isolationLevels: true,
  maxParameters: 65_535,
  concurrentWriters: true,
  readOnlyBesideWriter: true,
  copyFrom: true,
});

/**
 * The parts of a backend that follow from speaking PostgreSQL, whatever runs it (a server
 * through pg, or PGlite): type mapping, Kysely's compiler, adapter and introspector.
 */
export const postgresSqlParts = Object.freeze({
  typeMapping: postgresTypeMapping,
  createQueryCompiler: () => new PostgresQueryCompiler(),
  createAdapter: () => new PostgresAdapter(),
  createIntrospector: (db: Kysely<any>) => new PostgresIntrospector(db),
}) satisfies Pick<Backend, "typeMapping" | "createQueryCompiler" | "createAdapter" | "createIntrospector">;

/** Builds the PostgreSQL backend: `pg` driver, wrapped pool, Kysely's PostgreSQL compiler. */
export function createPostgresBackend(url: DatabaseUrl, options: ResolvedEngineOptions, instrumentation: Instrumentation): Backend {
  if (options.postgres.pooler === "transaction" && url.options !== undefined) {
    throw new PoolerIncompatibleError(
      'the URL\'s options parameter cannot be used with pooler "transaction": PgBouncer refuses it when a connection starts ("unsupported startup parameter: options"). Set those settings on the role or database instead (ALTER ROLE app SET search_path = app)',
    );
  }
  const driver = loadDriver<typeof pg>("pg");
  const config = clientConfig(driver, url, options);
  const pool = new PostgresPool(driver, { ...config, types: postgresTypeParsers(driver) }, options, instrumentation);
  return {
    dialect: "postgres",
    capabilities: POSTGRES_CAPABILITIES,
    pool: pool as unknown as Backend["pool"],
    ...postgresSqlParts,
    serverInfo: async (connection: BackendConnection): Promise<ServerInfo> => {
      const result = await (connection as PostgresConnection).client.query<{ server_version: string }>("show server_version");
      return { version: `PostgreSQL ${result.rows[0]?.server_version ?? "unknown"}` };
    },
    connectionLimits: (connection) => postgresConnectionLimits(connection as PostgresConnection),
    // Proving the lock connection alive is a ping: bounded like the pool's pre-ping.
    createMigrationLock: (name) => {
      if (options.postgres.migrationLock === "table") return new PostgresTableMigrationLock(name);
      if (options.postgres.pooler === "transaction") return new PostgresTransactionMigrationLock(name);
      return new PostgresMigrationLock(driver, config, name, options.pool.prePingTimeoutMillis);
    },
    createScratchDatabase: () => createPostgresScratchDatabase(url, pool as unknown as Backend["pool"]),
    replication: postgresReplicationProbe,
    pipeline: pool.pipeline,
  };
}

function clientConfig(driver: typeof pg, url: DatabaseUrl, options: ResolvedEngineOptions): pg.PoolConfig {
  const { postgres } = options;
  const fromUrl = urlClientConfig(driver, url, postgres.applicationName);
  const config: pg.PoolConfig = {
    ...fromUrl,
    keepAlive: postgres.keepAliveIdleMillis > 0,
    keepAliveInitialDelayMillis: postgres.keepAliveIdleMillis,
    ssl: postgres.ssl ?? fromUrl.ssl,
  };
  if (postgres.statementTimeoutMillis > 0) config.statement_timeout = postgres.statementTimeoutMillis;
  if (postgres.lockTimeoutMillis > 0) config.lock_timeout = postgres.lockTimeoutMillis;
  if (postgres.idleInTransactionTimeoutMillis > 0) config.idle_in_transaction_session_timeout = postgres.idleInTransactionTimeoutMillis;
  return config;
}
