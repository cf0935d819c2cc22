import type { BackendConnection } from "../../backends/backend.js";
import type { ReplicationProbe } from "../../backends/replication-probe.js";
import type { Pool } from "../../pool/pool.js";
import type { PoolStatus } from "../../pool/pool-status.js";
import { readYourWritesContext } from "./read-your-writes.js";
import type { ReplicaSet } from "./replica-set.js";

/**
 * The primary's pool with replicas configured: a connection handed back inside a
 * read-your-writes scope first reads the primary's position (one round trip), so later reads
 * in that scope go only to a replica that has replayed it. Outside a scope it is the
 * primary's pool, unchanged. Closing it closes the replicas' pools and stops their checks too.
 */
export class PrimaryPool implements Pool<BackendConnection> {
  readonly #pool: Pool<BackendConnection>;
  readonly #probe: ReplicationProbe;
  readonly #set: () => ReplicaSet;

  constructor(pool: Pool<BackendConnection>, probe: ReplicationProbe, set: () => ReplicaSet) {
    this.#pool = pool;
    this.#probe = probe;
    this.#set = set;
  }

  acquire() {
    return this.#pool.acquire();
  }

  release(connection: BackendConnection) {
    const scope = readYourWritesContext.getStore();
    // Still in a transaction: the pool rolls it back, nothing was committed.
    if (scope === undefined || connection.inTransaction) return this.#pool.release(connection);
    return this.#probe.currentPosition(connection).then(
      (position) => {
        scope.record(position);
        return this.#pool.release(connection);
      },
      () => {
        // Where the primary got to is unknown: only the primary is safe for this scope now.
        scope.unknown = true;
        return this.#pool.destroy(connection);
      },
    );
  }

  destroy(connection: BackendConnection) {
    return this.#pool.destroy(connection);
  }

  status(): PoolStatus {
    return this.#pool.status();
  }

  async close(): Promise<void> {
    await Promise.all([this.#set().close(), this.#pool.close()]);
  }
}
