import {
  DefaultQueryExecutor,
  type CompiledQuery,
  type ConnectionProvider,
  type DialectAdapter,
  type KyselyPlugin,
  type QueryCompiler,
  type QueryResult,
  type UnknownRow,
} from "kysely";

/** Runs one compiled statement in a session's transaction. */
export type RunStatement = <R>(compiledQuery: CompiledQuery) => Promise<QueryResult<R>>;

/**
 * The query executor of a session. Kysely's own runs a statement through four async steps
 * (execute, provide a connection, the consumer, transform the result), each a promise and,
 * with AsyncLocalStorage active on Node 20, a few hook calls; a session's statement goes to
 * the session core in one, and through the result plugins only when there are any.
 *
 * `withPlugin()` and friends return Kysely's executor over the same connection provider: the
 * same transaction, through Kysely's steps.
 */
export class SessionQueryExecutor extends DefaultQueryExecutor {
  readonly #run: RunStatement;

  constructor(compiler: QueryCompiler, adapter: DialectAdapter, provider: ConnectionProvider, run: RunStatement, plugins: readonly KyselyPlugin[]) {
    // Kysely keeps the array as given and copies it when plugins are added: no copy per session.
    super(compiler, adapter, provider, plugins as KyselyPlugin[]);
    this.#run = run;
  }

  override executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.plugins.length === 0 ? this.#run<R>(compiledQuery) : this.#executeWithPlugins<R>(compiledQuery);
  }

  async #executeWithPlugins<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    let result = await this.#run<UnknownRow>(compiledQuery);
    for (const plugin of this.plugins) result = await plugin.transformResult({ result, queryId: compiledQuery.queryId });
    return result as QueryResult<R>;
  }
}
