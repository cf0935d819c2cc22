import { Kysely, type Dialect } from "kysely";
import type { Backend } from "../backends/backend.js";
import { checkHealth } from "../health/check-health.js";
import { AthanorDriver } from "./athanor-driver.js";
import { registerAutocommitRunner } from "./autocommit-runner.js";
import { pipeliningKysely } from "./pipelining-query-executor.js";
import type { DatabaseUrl } from "./database-url.js";
import type { Engine } from "./engine.js";
import type { EngineParts } from "./engine-parts.js";
import type { ResolvedEngineOptions } from "./engine-options.js";
import type { Instrumentation } from "./instrumentation.js";
import type { ReplicaSet } from "./replicas/replica-set.js";
import { engineReplicas } from "./replicas/engine-replicas-for.js";
import { serverName } from "./replicas/replica-server.js";

/**
 * @internal The last step of {@link createEngine}: a backend and the engine's
 * {@link EngineParts} → the Kysely dialect and the engine object. Also how `athanor/testing`
 * makes an engine whose backend is a sandbox, from the real engine's parts.
 */
export function assembleEngine<DB>(
  url: DatabaseUrl,
  options: ResolvedEngineOptions,
  backend: Backend,
  instrumentation: Instrumentation,
  parts: EngineParts,
  replicaSet?: ReplicaSet,
): Engine<DB> {
  const { completeError } = parts;
  const dialectOver = (driver: AthanorDriver): Dialect => ({
    createQueryCompiler: () => parts.queryCompiler,
    createAdapter: () => parts.adapter,
    createIntrospector: (kysely: Kysely<any>) => backend.createIntrospector(kysely),
    createDriver: () => driver,
  });
  const driver = new AthanorDriver(backend, completeError);
  const dialect = dialectOver(driver);
  const kysely = (over: Backend): Kysely<DB> => {
    const overDialect = over === backend ? dialect : dialectOver(new AthanorDriver(over, completeError));
    return over.pipeline === undefined
      ? new Kysely<DB>({ dialect: overDialect, plugins: [...parts.plugins] })
      : pipeliningKysely<DB>(overDialect, over.pipeline, completeError, parts.plugins);
  };
  const db = kysely(backend);
  // Not with pipelining: the pipeline is where the engine's autocommit statements go then.
  if (backend.pipeline === undefined) registerAutocommitRunner(db, backend.pool, completeError);
  const replicas = engineReplicas<DB>(db, replicaSet, kysely, () => ({ name: serverName(url), pool: backend.pool.status() }));
  let disposing: Promise<void> | undefined;
  const engine: Engine<DB> = {
    url,
    dialect: url.dialect,
    options,
    capabilities: backend.capabilities,
    db,
    pool: { status: () => backend.pool.status() },
    backend,
    internals: { dialect, driver, instrumentation, parts, readBackend: replicas.readBackend },
    replicas: replicas.api,
    get disposed() {
      return disposing !== undefined;
    },
    on(name, listener) {
      instrumentation.on(name, listener);
      return this;
    },
    off(name, listener) {
      instrumentation.off(name, listener);
      return this;
    },
    healthCheck: () => checkHealth(backend, url, options.healthCheckTimeoutMillis, replicaSet),
    dispose() {
      disposing ??= backend.pool.close().finally(() => instrumentation.close());
      return disposing;
    },
    [Symbol.asyncDispose]() {
      return this.dispose();
    },
  };
  return Object.freeze(engine);
}
