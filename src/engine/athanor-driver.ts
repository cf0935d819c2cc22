import type { DatabaseConnection, Driver, TransactionSettings } from "kysely";
import type { Backend, BackendConnection } from "../backends/backend.js";
import { settled } from "../pool/maybe-promise.js";

/**
 * The Kysely driver every engine uses: checkouts come from the backend's pool and
 * transaction control from the backend's connection, so Kysely never sees a dialect detail.
 */
export class AthanorDriver implements Driver {
  readonly #backend: Backend;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(this.#backend.pool.acquire());
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return settled((connection as BackendConnection).begin(settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return settled((connection as BackendConnection).commit());
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return settled((connection as BackendConnection).rollback());
  }

  savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return settled((connection as BackendConnection).savepoint(name));
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return settled((connection as BackendConnection).rollbackToSavepoint(name));
  }

  releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return settled((connection as BackendConnection).releaseSavepoint(name));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return settled(this.#backend.pool.release(connection as BackendConnection));
  }

  destroy(): Promise<void> {
    return this.#backend.pool.close();
  }
}
