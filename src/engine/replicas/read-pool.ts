import type { Backend, BackendConnection } from "../../backends/backend.js";
import type { Pool } from "../../pool/pool.js";
import type { PoolStatus } from "../../pool/pool-status.js";
import type { ReplicaSet } from "./replica-set.js";

/**
 * The pool replica-safe reads check out of: each checkout is routed by the replica set (a
 * replica, or the primary as a fallback) and handed back to the pool it came from. Read-only
 * sessions and `engine.replicas.db` use it; it owns no connections, so `close()` does nothing.
 */
export class ReadPool implements Pool<BackendConnection> {
  readonly #set: ReplicaSet;
  readonly #owners = new WeakMap<BackendConnection, Backend>();

  constructor(set: ReplicaSet) {
    this.#set = set;
  }

  async acquire(): Promise<BackendConnection> {
    const { connection, backend } = await this.#set.acquireForRead();
    this.#owners.set(connection, backend);
    return connection;
  }

  release(connection: BackendConnection) {
    return this.#owner(connection).pool.release(connection);
  }

  destroy(connection: BackendConnection) {
    return this.#owner(connection).pool.destroy(connection);
  }

  /** The primary's counters (each server's are in `engine.replicas.status()`). */
  status(): PoolStatus {
    return this.#set.primary.pool.status();
  }

  async close(): Promise<void> {}

  #owner(connection: BackendConnection): Backend {
    return this.#owners.get(connection) ?? this.#set.primary;
  }
}
