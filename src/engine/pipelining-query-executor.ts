import {
  DefaultConnectionProvider,
  DefaultQueryExecutor,
  Kysely,
  type CompiledQuery,
  type ConnectionProvider,
  type Dialect,
  type DialectAdapter,
  type KyselyPlugin,
  type QueryCompiler,
  type QueryResult,
} from "kysely";
import type { StatementPipeline } from "../backends/statement-pipeline.js";
import type { CompleteError } from "../schema/complete-constraint-error.js";

/**
 * Kysely's executor with one route more: a statement executed on its own (`execute()`,
 * `executeTakeFirst()`, `db.executeQuery()`) that the pipeline accepts goes there instead of
 * checking a connection out. Everything that binds a connection goes through
 * `provideConnection` as before (transactions, `db.connection()`, streams), and the executors
 * made for that one connection (`withConnectionProvider`) are plain Kysely ones, so every
 * statement inside them stays on it. Derived handles (`withPlugin`, `withSchema`) keep the route.
 */
export class PipeliningQueryExecutor extends DefaultQueryExecutor {
  readonly #compiler: QueryCompiler;
  readonly #adapter: DialectAdapter;
  readonly #connectionProvider: ConnectionProvider;
  readonly #pipeline: StatementPipeline;
  readonly #completeError: CompleteError;

  constructor(compiler: QueryCompiler, adapter: DialectAdapter, connectionProvider: ConnectionProvider, pipeline: StatementPipeline, completeError: CompleteError, plugins: readonly KyselyPlugin[] = []) {
    super(compiler, adapter, connectionProvider, plugins as KyselyPlugin[]);
    this.#compiler = compiler;
    this.#adapter = adapter;
    this.#connectionProvider = connectionProvider;
    this.#pipeline = pipeline;
    this.#completeError = completeError;
  }

  override async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#pipeline.accepts(compiledQuery)) return super.executeQuery<R>(compiledQuery);
    let result: QueryResult<R>;
    try {
      result = await this.#pipeline.executeQuery<R>(compiledQuery);
    } catch (error) {
      await this.#completeError(error, compiledQuery, (probe) => this.#pipeline.executeQuery(probe));
      throw error;
    }
    // What Kysely's own executeQuery does with a result: each plugin transforms it in turn.
    for (const plugin of this.plugins) result = (await plugin.transformResult({ result: result as QueryResult<any>, queryId: compiledQuery.queryId })) as QueryResult<R>;
    return result;
  }

  override withPlugins(plugins: ReadonlyArray<KyselyPlugin>): PipeliningQueryExecutor {
    return this.#with([...this.plugins, ...plugins]);
  }

  override withPlugin(plugin: KyselyPlugin): PipeliningQueryExecutor {
    return this.#with([...this.plugins, plugin]);
  }

  override withPluginAtFront(plugin: KyselyPlugin): PipeliningQueryExecutor {
    return this.#with([plugin, ...this.plugins]);
  }

  override withoutPlugins(): PipeliningQueryExecutor {
    return this.#with([]);
  }

  /** One connection (a transaction, `db.connection()`): every statement on it, none pipelined. */
  override withConnectionProvider(connectionProvider: ConnectionProvider): DefaultQueryExecutor {
    return new DefaultQueryExecutor(this.#compiler, this.#adapter, connectionProvider, [...this.plugins]);
  }

  #with(plugins: KyselyPlugin[]): PipeliningQueryExecutor {
    return new PipeliningQueryExecutor(this.#compiler, this.#adapter, this.#connectionProvider, this.#pipeline, this.#completeError, plugins);
  }
}

/**
 * A Kysely over `dialect`, with `plugins`, whose lone statements go to `pipeline` when it
 * accepts them (see {@link PipeliningQueryExecutor}). The dialect's driver is used directly, as Kysely's own
 * constructor does behind its thin runtime wrapper (which only adds logging, off here).
 */
export function pipeliningKysely<DB>(dialect: Dialect, pipeline: StatementPipeline, completeError: CompleteError, plugins: readonly KyselyPlugin[] = []): Kysely<DB> {
  const driver = dialect.createDriver();
  const executor = new PipeliningQueryExecutor(dialect.createQueryCompiler(), dialect.createAdapter(), new DefaultConnectionProvider(driver), pipeline, completeError, plugins);
  return new Kysely<DB>({ config: { dialect }, executor, dialect, driver });
}
