import {
  DefaultQueryExecutor,
  type CompiledQuery,
  type ConnectionProvider,
  type DialectAdapter,
  type KyselyPlugin,
  type QueryCompiler,
  type QueryId,
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
  /** The plugins that may change a result (the schema plugin only for the queries it names: the backend decodes values). */
  readonly #resultPlugins: ResultPlugins;

  constructor(compiler: QueryCompiler, adapter: DialectAdapter, provider: ConnectionProvider, run: RunStatement, plugins: readonly KyselyPlugin[], resultPlugins: ResultPlugins) {
    // Kysely keeps the array as given and copies it when plugins are added: no copy per session.
    super(compiler, adapter, provider, plugins as KyselyPlugin[]);
    this.#run = run;
    this.#resultPlugins = resultPlugins;
  }

  override executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { always, sometimes } = this.#resultPlugins;
    if (always.length === 0 && !sometimes.some((plugin) => plugin.resultWork(compiledQuery.queryId))) return this.#run<R>(compiledQuery);
    return this.#executeWithPlugins<R>(compiledQuery);
  }

  async #executeWithPlugins<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    let result = await this.#run<UnknownRow>(compiledQuery);
    for (const plugin of this.plugins) result = await plugin.transformResult({ result, queryId: compiledQuery.queryId });
    return result as QueryResult<R>;
  }
}

/** A plugin marked {@link RESULT_NEUTRAL}: it says which queries its `transformResult` changes. */
interface ConditionalPlugin extends KyselyPlugin {
  resultWork(queryId: QueryId): boolean;
}

/** The plugins whose `transformResult` a session calls: always, or when they say so (computed once per engine, in `EngineParts`). */
export interface ResultPlugins {
  readonly always: readonly KyselyPlugin[];
  readonly sometimes: readonly ConditionalPlugin[];
}

export function resultPlugins(plugins: readonly KyselyPlugin[]): ResultPlugins {
  const neutral = (plugin: KyselyPlugin): plugin is ConditionalPlugin => (plugin as { [RESULT_NEUTRAL]?: boolean })[RESULT_NEUTRAL] === true;
  return { always: plugins.filter((plugin) => !neutral(plugin)), sometimes: plugins.filter(neutral) };
}
