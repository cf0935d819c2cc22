import type { Backend } from "../backends/backend.js";
import { SandboxUnsupportedError } from "../errors.js";
import type { SandboxConnection } from "./sandbox-connection.js";
import type { SandboxPool } from "./sandbox-pool.js";

/**
 * The backend of a sandbox's engine: the real backend's dialect, SQL and types, over the
 * sandbox's one connection. It has a single connection, so it declares what SQLite's single
 * writer declares (no concurrent writers), and sessions refuse what would wait for itself.
 */
export function createSandboxBackend(real: Backend, pool: SandboxPool, afterCommitHooks: boolean): Backend {
  const backend: Backend = {
    dialect: real.dialect,
    capabilities: Object.freeze({ ...real.capabilities, concurrentWriters: false, readOnlyBesideWriter: false, afterCommitHooks }),
    pool,
    typeMapping: real.typeMapping,
    createQueryCompiler: () => real.createQueryCompiler(),
    createAdapter: () => real.createAdapter(),
    createIntrospector: (db) => real.createIntrospector(db),
    serverInfo: (connection) => real.serverInfo((connection as SandboxConnection).inner),
    createMigrationLock: () => {
      throw new SandboxUnsupportedError(
        "migrations cannot run inside a test sandbox (their lock and their non-transactional revisions need the real database): " +
          "migrate once before the tests, e.g. into the template database (createTemplateDatabase) or in beforeAll on the engine itself",
      );
    },
    createScratchDatabase: () => real.createScratchDatabase(),
  };
  return Object.freeze(backend);
}
