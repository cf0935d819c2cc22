import type { Dialect, Driver, Kysely } from "kysely";
import type { Instrumentation } from "./instrumentation.js";
import type { EngineParts } from "./engine-parts.js";
import type { Backend } from "../backends/backend.js";
import type { BackendCapabilities } from "../backends/backend-capabilities.js";
import type { HealthReport } from "../health/health-report.js";
import type { PoolStatus } from "../pool/pool-status.js";
import type { DatabaseUrl, DialectName } from "./database-url.js";
import type { EngineEventName, EngineListener } from "./engine-events.js";
import type { ResolvedEngineOptions } from "./engine-options.js";
import type { EngineReplicas } from "./replicas/engine-replicas.js";

/**
 * The single source of truth for a database: URL, pool, dialect, events. Made once per
 * process with {@link createEngine}; sessions are made from it with `createSessionFactory`.
 * Connects lazily: nothing is opened until the first statement.
 *
 * @example
 * ```ts
 * const engine = createEngine<DB>(process.env.DATABASE_URL ?? "sqlite:./data/app.db");
 * const rows = await engine.db.selectFrom("users").selectAll().execute(); // autocommit
 * console.log(engine.pool.status(), await engine.healthCheck());
 * await engine.dispose();
 * ```
 */
export interface Engine<DB = any> {
  /** The parsed URL; renders with the password masked. */
  readonly url: DatabaseUrl;
  readonly dialect: DialectName;
  /** Validated, frozen options with defaults filled in. */
  readonly options: ResolvedEngineOptions;
  readonly capabilities: BackendCapabilities;
  /** A Kysely in autocommit mode: every statement checks a connection out and back in. */
  readonly db: Kysely<DB>;
  readonly pool: { status(): PoolStatus };
  /** Read replicas: a Kysely that reads from them, read-your-writes scopes, per-server status (see `replicas` in the options). */
  readonly replicas: EngineReplicas<DB>;
  /** True once `dispose()` was called. */
  readonly disposed: boolean;
  on<E extends EngineEventName>(name: E, listener: EngineListener<E>): this;
  off<E extends EngineEventName>(name: E, listener: EngineListener<E>): this;
  /** Probes the database (bounded by `healthCheckTimeoutMillis`); never throws. */
  healthCheck(): Promise<HealthReport>;
  /** Drains and closes every connection. Idempotent; later use throws `EngineDisposedError`. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  /** @internal The backend behind this engine, for sessions, schema and migrations. */
  readonly backend: Backend;
  /** @internal What sessions need to build a Kysely bound to one connection. */
  readonly internals: EngineInternals;
}

/** @internal */
export interface EngineInternals {
  readonly dialect: Dialect;
  readonly driver: Driver;
  readonly instrumentation: Instrumentation;
  /** What the engine's Kyselys and sessions share (compiler, adapter, schema plugin, constraint-error completer), made once per engine. */
  readonly parts: EngineParts;
  /** With read replicas: the backend read-only sessions use, whose pool routes each checkout to a replica (or the primary). */
  readonly readBackend: Backend | undefined;
}
