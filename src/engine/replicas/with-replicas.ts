import type { Backend } from "../../backends/backend.js";
import type { StatementPipeline } from "../../backends/statement-pipeline.js";
import type { DatabaseUrl } from "../database-url.js";
import type { ResolvedEngineOptions } from "../engine-options.js";
import type { Instrumentation } from "../instrumentation.js";
import { ConfigurationError } from "../../errors.js";
import { PrimaryPool } from "./primary-pool.js";
import { readYourWritesContext } from "./read-your-writes.js";
import { ReplicaSet } from "./replica-set.js";

/**
 * @internal Wires read replicas around a primary's backend: one backend (and pool) per
 * replica URL, the replica set that checks and routes, and the primary's backend with a pool
 * that records read-your-writes positions and closes everything.
 */
export function withReplicas(
  url: DatabaseUrl,
  primary: Backend,
  options: ResolvedEngineOptions,
  instrumentation: Instrumentation,
  createBackend: (url: DatabaseUrl) => Backend,
): { primary: Backend; set: ReplicaSet } {
  const probe = primary.replication;
  if (probe === undefined) {
    void primary.pool.close().catch(() => undefined);
    throw new ConfigurationError(`option options.replicas: read replicas need a PostgreSQL server (a postgres:// URL); this engine's URL is "${url}"`);
  }
  const replicas = options.replicas.map((replicaUrl) => ({ url: replicaUrl, backend: createBackend(replicaUrl) }));
  const set = new ReplicaSet(url, primary, replicas, probe, options, instrumentation);
  const pool = new PrimaryPool(primary.pool, probe, () => set);
  // Inside a read-your-writes scope a write must check a connection out: the pool records the primary's position when it comes back.
  const inner = primary.pipeline;
  const pipeline: StatementPipeline | undefined = inner && {
    accepts: (query) => readYourWritesContext.getStore() === undefined && inner.accepts(query),
    executeQuery: (query) => inner.executeQuery(query),
    status: () => inner.status(),
    close: () => inner.close(),
  };
  return { primary: { ...primary, pool, pipeline }, set };
}
