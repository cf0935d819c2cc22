import { DummyDriver, Kysely, type Dialect } from "kysely";
import type { Backend } from "../backends/backend.js";
import { checkHealth } from "../health/check-health.js";
import { constraintErrorCompleter } from "../schema/complete-constraint-error.js";
import { SchemaPlugin } from "../schema/schema-plugin.js";
import { AthanorDriver } from "./athanor-driver.js";
import { registerAutocommitRunner } from "./autocommit-runner.js";
import { pipeliningKysely } from "./pipelining-query-executor.js";
import type { DatabaseUrl } from "./database-url.js";
import type { Engine } from "./engine.js";
import type { ResolvedEngineOptions } from "./engine-options.js";
import type { Instrumentation } from "./instrumentation.js";
import type { ReplicaSet } from "./replicas/replica-set.js";
import { engineReplicas } from "./replicas/engine-replicas-for.js";
import { serverName } from "./replicas/replica-server.js";

/**
 * @internal The last step of {@link createEngine}: a backend → the Kysely dialect and the
 * engine object. Also how `athanor/testing` makes an engine whose backend is a sandbox.
 */
export function assembleEngine<DB>(url: DatabaseUrl, options: ResolvedEngineOptions, backend: Backend, instrumentation: Instrumentation, replicaSet?: ReplicaSet): Engine<DB> {
  const compiling = {
    createQueryCompiler: () => backend.createQueryCompiler(),
    createAdapter: () => backend.createAdapter(),
    createIntrospector: (kysely: Kysely<any>) => backend.createIntrospector(kysely),
  };
  // Constraint errors are completed from the schema; the probes it may need are compiled by a Kysely that never connects.
  const completeError = constraintErrorCompleter(options.schema, new Kysely<any>({ dialect: { ...compiling, createDriver: () => new DummyDriver() } }));
  const driver = new AthanorDriver(backend, completeError);
  const dialect: Dialect = { ...compiling, createDriver: () => driver };
  const kysely = (over: Backend): Kysely<DB> => {
    const overDialect = over === backend ? dialect : { ...compiling, createDriver: () => new AthanorDriver(over, completeError) };
    const base = over.pipeline === undefined ? new Kysely<DB>({ dialect: overDialect }) : pipeliningKysely<DB>(overDialect, over.pipeline, completeError);
    return options.schema === undefined ? base : base.withPlugin(new SchemaPlugin(options.schema, backend.typeMapping));
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
    internals: { dialect, driver, instrumentation, completeError, readBackend: replicas.readBackend },
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
