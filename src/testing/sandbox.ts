import type { Kysely } from "kysely";
import type { BackendConnection } from "../backends/backend.js";
import { assembleEngine } from "../engine/assemble-engine.js";
import type { Engine } from "../engine/engine.js";
import { ConfigurationError } from "../errors.js";
import type { Schema } from "../schema/define-schema.js";
import { createSessionFactory, type SessionFactory } from "../session/session-factory.js";
import type { SessionOptions } from "../session/session-options.js";
import { createSandboxBackend } from "./sandbox-backend.js";
import { SandboxConnection } from "./sandbox-connection.js";
import { SandboxPool } from "./sandbox-pool.js";

/** Options of {@link openSandbox}. */
export interface SandboxOptions {
  /**
   * `"transaction"` (default): everything runs inside one transaction on one connection,
   * rolled back at `close()`. `"truncate"`: the code under test commits for real on the
   * engine's pool (for code that opens connections of its own, or needs
   * `CREATE INDEX CONCURRENTLY`), and `close()` deletes every row of the schema's tables.
   */
  readonly mode?: "transaction" | "truncate";
  /** `"run"` (default): `afterCommit` hooks run when the code's own commit succeeds in the sandbox. `"skip"`: they never run. */
  readonly afterCommit?: "run" | "skip";
  /** Defaults of the sandbox's session factory (as `createSessionFactory(engine, defaults)`). */
  readonly sessionDefaults?: SessionOptions;
  /** The schema whose tables `"truncate"` mode empties; default the engine's. */
  readonly schema?: Schema;
}

/**
 * One test's world. Hand `engine` and `sessions` to the code under test (an app factory, a
 * service's constructor) instead of the application's own; read what it did through `db`.
 *
 * @example
 * ```ts
 * const sandbox = await openSandbox(engine);
 * const app = buildApp({ engine: sandbox.engine, sessions: sandbox.sessions });
 * await app.inject({ method: "POST", url: "/users", payload: { email: "ada@example.com" } });
 * expect(await sandbox.db.selectFrom("users").selectAll().execute()).toHaveLength(1);
 * await sandbox.close(); // rolled back: the database is as before
 * ```
 */
export interface Sandbox<DB> {
  /** An engine whose every statement runs in the sandbox; `dispose()` on it leaves the real engine alone. */
  readonly engine: Engine<DB>;
  /** A session factory whose sessions are savepoints inside the sandbox (commit releases, rollback rolls back to it). */
  readonly sessions: SessionFactory<DB>;
  /** `engine.db`: sees everything the code under test committed (and, between its statements, did). */
  readonly db: Kysely<DB>;
  /** Ends the sandbox: rolls everything back (or empties the tables in truncate mode). Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Opens a sandbox on `engine`: one connection checked out of its pool, inside a transaction
 * that `close()` rolls back. Every session the sandbox's factory makes becomes a SAVEPOINT in
 * it, so the code under test commits and rolls back as usual and the test sees its
 * committed writes, then nothing is left behind. Concurrent tests each open their own
 * sandbox: on PostgreSQL each holds a connection of its own; on SQLite they take turns on the
 * single writer, so prefer a database per worker (in-memory, `createTestDatabase`).
 *
 * @example
 * ```ts
 * await using sandbox = await openSandbox(engine);
 * const service = new AgentService(sandbox.sessions);
 * await service.pause(agentId);
 * ```
 */
export async function openSandbox<DB>(engine: Engine<DB>, options: SandboxOptions = {}): Promise<Sandbox<DB>> {
  const mode = options.mode ?? "transaction";
  if (mode !== "transaction" && mode !== "truncate") throw new ConfigurationError(`openSandbox: mode must be "transaction" or "truncate", got ${JSON.stringify(mode)}`);
  const afterCommit = options.afterCommit ?? "run";
  if (afterCommit !== "run" && afterCommit !== "skip") throw new ConfigurationError(`openSandbox: afterCommit must be "run" or "skip", got ${JSON.stringify(afterCommit)}`);
  return mode === "truncate" ? truncateSandbox(engine, options) : transactionSandbox(engine, afterCommit === "run", options.sessionDefaults);
}

async function transactionSandbox<DB>(engine: Engine<DB>, afterCommitHooks: boolean, sessionDefaults: SessionOptions | undefined): Promise<Sandbox<DB>> {
  const real = engine.backend;
  const connection: BackendConnection = await real.pool.acquire();
  try {
    await connection.begin({});
  } catch (error) {
    await real.pool.destroy(connection);
    throw error;
  }
  const fenced = new SandboxConnection(connection);
  const pool = new SandboxPool(fenced, engine.options.pool.acquireTimeoutMillis);
  const { instrumentation, parts } = engine.internals;
  const view = assembleEngine<DB>(engine.url, engine.options, createSandboxBackend(real, pool, afterCommitHooks), instrumentation, parts);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      pool.end();
      fenced.end(); // a session still running can no longer reach the real connection, which the next test may get
      try {
        await connection.rollback();
        await real.pool.release(connection);
      } catch {
        await real.pool.destroy(connection);
      }
    })());
  return Object.freeze({ engine: view, sessions: createSessionFactory(view, sessionDefaults), db: view.db, close, [Symbol.asyncDispose]: close });
}

async function truncateSandbox<DB>(engine: Engine<DB>, options: SandboxOptions): Promise<Sandbox<DB>> {
  const schema = options.schema ?? engine.options.schema;
  if (schema === undefined) throw new ConfigurationError('openSandbox({ mode: "truncate" }) needs a schema to know which tables to empty: pass { schema } or create the engine with it');
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= engine.db.transaction().execute(async (trx) => {
      // Children first: rows are deleted in reverse foreign-key order.
      for (const table of [...schema.creationOrder()].reverse()) await (trx as Kysely<any>).deleteFrom(table).execute();
    }));
  return Object.freeze({ engine, sessions: createSessionFactory(engine, options.sessionDefaults), db: engine.db, close, [Symbol.asyncDispose]: close });
}
