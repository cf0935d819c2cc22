import type { CompiledQuery, Kysely, QueryResult } from "kysely";
import type { BackendConnection } from "../backends/backend.js";
import type { MaybePromise } from "../pool/maybe-promise.js";
import type { Pool } from "../pool/pool.js";
import type { CompleteError } from "../schema/complete-constraint-error.js";
import { resultPlugins, type ResultPlugins } from "../session/session-executor.js";

/**
 * Runs a statement on an engine's `db` in autocommit without Kysely's executor, when the
 * pool can run it at once (SQLite: `Pool.executeIfFree`) and no plugin has to transform its
 * result. What Kysely's path adds on top of the backend (constraint errors completed from the
 * schema) happens here too.
 */
export class AutocommitRunner {
  readonly #pool: Pool<BackendConnection> & Required<Pick<Pool<BackendConnection>, "executeIfFree">>;
  readonly #plugins: ResultPlugins;
  readonly #completeError: CompleteError;

  constructor(pool: Pool<BackendConnection> & Required<Pick<Pool<BackendConnection>, "executeIfFree">>, plugins: ResultPlugins, completeError: CompleteError) {
    this.#pool = pool;
    this.#plugins = plugins;
    this.#completeError = completeError;
  }

  /**
   * The statement's result, a plain value when it ran at once (a failure is always a rejected
   * promise); `undefined` when it was not run (it would wait, or a plugin transforms its
   * result): send it through Kysely then.
   */
  run<R>(compiledQuery: CompiledQuery): MaybePromise<QueryResult<R>> | undefined {
    const { always, sometimes } = this.#plugins;
    if (always.length > 0 || sometimes.some((plugin) => plugin.resultWork(compiledQuery.queryId))) return undefined;
    let result: QueryResult<R> | undefined;
    try {
      result = this.#pool.executeIfFree<R>(compiledQuery);
    } catch (error) {
      return this.#failed(error, compiledQuery);
    }
    return result;
  }

  async #failed(error: unknown, compiledQuery: CompiledQuery): Promise<never> {
    await this.#completeError(error, compiledQuery, (probe) => this.#probe(probe));
    throw error;
  }

  async #probe(probe: CompiledQuery): Promise<QueryResult<unknown>> {
    const connection = await this.#pool.acquire();
    try {
      return await connection.executeQuery(probe);
    } finally {
      await this.#pool.release(connection);
    }
  }
}

const runners = new WeakMap<Kysely<any>, AutocommitRunner>();

/** @internal Gives `db` (an engine's `db`) a runner, when its pool can run statements at once. */
export function registerAutocommitRunner(db: Kysely<any>, pool: Pool<BackendConnection>, completeError: CompleteError): void {
  if (pool.executeIfFree === undefined) return;
  runners.set(db, new AutocommitRunner(pool as ConstructorParameters<typeof AutocommitRunner>[0], resultPlugins(db.getExecutor().plugins), completeError));
}

/** @internal The runner of `db`, when `db` is an engine's `db` whose pool can run statements at once. */
export function autocommitRunnerFor(db: Kysely<any>): AutocommitRunner | undefined {
  return runners.get(db);
}
