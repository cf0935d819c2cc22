import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from "kysely";
import type { Backend, BackendConnection } from "../backends/backend.js";
import { settled } from "../pool/maybe-promise.js";
import type { CompleteError } from "../schema/complete-constraint-error.js";

/**
 * The Kysely driver every engine uses: checkouts come from the backend's pool and
 * transaction control from the backend's connection, so Kysely never sees a dialect detail.
 * Kysely gets each connection behind a thin view whose failed statements have their
 * constraint errors completed (sessions do the same on their own path).
 */
export class AthanorDriver implements Driver {
  readonly #backend: Backend;
  readonly #completeError: CompleteError;
  /** One view per pooled connection, made on its first checkout. */
  readonly #views = new WeakMap<BackendConnection, CompletingConnection>();

  constructor(backend: Backend, completeError: CompleteError) {
    this.#backend = backend;
    this.#completeError = completeError;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#backend.pool.acquire();
    let view = this.#views.get(connection);
    if (view === undefined) {
      view = new CompletingConnection(connection, this.#completeError);
      this.#views.set(connection, view);
    }
    return view;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return settled(inner(connection).begin(settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    const backend = inner(connection);
    return settled(backend.commit()).catch(async (error: unknown) => {
      // A deferred constraint fails at COMMIT.
      await this.#completeError(error);
      throw error;
    });
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return settled(inner(connection).rollback());
  }

  savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return settled(inner(connection).savepoint(name));
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return settled(inner(connection).rollbackToSavepoint(name));
  }

  releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return settled(inner(connection).releaseSavepoint(name));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return settled(this.#backend.pool.release(inner(connection)));
  }

  destroy(): Promise<void> {
    return this.#backend.pool.close();
  }
}

/** A backend connection as Kysely sees it: statements pass through, constraint errors are completed on the way out. */
class CompletingConnection implements DatabaseConnection {
  readonly connection: BackendConnection;
  readonly #completeError: CompleteError;

  constructor(connection: BackendConnection, completeError: CompleteError) {
    this.connection = connection;
    this.#completeError = completeError;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.connection.executeQuery<R>(compiledQuery).catch(async (error: unknown) => {
      await this.#completeError(error, compiledQuery, (probe) => this.connection.executeQuery(probe));
      throw error;
    });
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.connection.streamQuery<R>(compiledQuery, chunkSize);
  }
}

function inner(connection: DatabaseConnection): BackendConnection {
  return connection instanceof CompletingConnection ? connection.connection : (connection as BackendConnection);
}
