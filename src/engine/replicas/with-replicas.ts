import type { Backend } from "../../backends/backend.js";
import type { DatabaseUrl } from "../database-url.js";
import type { ResolvedEngineOptions } from "../engine-options.js";
import type { Instrumentation } from "../instrumentation.js";
import { ConfigurationError } from "../../errors.js";
import { PrimaryPool } from "./primary-pool.js";
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
  return { primary: { ...primary, pool }, set };
}
