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
import { RESULT_NEUTRAL } from "../schema/schema-plugin.js";

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
  /** The plugins that may change a result (the schema plugin does not: the backend decodes values). */
  readonly #resultPlugins: readonly KyselyPlugin[];

  constructor(compiler: QueryCompiler, adapter: DialectAdapter, provider: ConnectionProvider, run: RunStatement, plugins: readonly KyselyPlugin[], resultPlugins: readonly KyselyPlugin[]) {
    // Kysely keeps the array as given and copies it when plugins are added: no copy per session.
    super(compiler, adapter, provider, plugins as KyselyPlugin[]);
    this.#run = run;
    this.#resultPlugins = resultPlugins;
  }

  override executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.#resultPlugins.length === 0 ? this.#run<R>(compiledQuery) : this.#executeWithPlugins<R>(compiledQuery);
  }

  async #executeWithPlugins<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    let result = await this.#run<UnknownRow>(compiledQuery);
    for (const plugin of this.#resultPlugins) result = await plugin.transformResult({ result, queryId: compiledQuery.queryId });
    return result as QueryResult<R>;
  }
}

/** The plugins whose results a session must pass through (computed once per factory). */
export function resultPlugins(plugins: readonly KyselyPlugin[]): readonly KyselyPlugin[] {
  return plugins.filter((plugin) => (plugin as { [RESULT_NEUTRAL]?: boolean })[RESULT_NEUTRAL] !== true);
}
