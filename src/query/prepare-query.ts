import { NoResultError, type Compilable, type CompiledQuery, type Kysely, type QueryResult } from "kysely";
import { BoundQuery } from "../backends/bound-query.js";
import { Placeholder } from "../backends/placeholder.js";
import { autocommitRunnerFor } from "../engine/autocommit-runner.js";
import { ConfigurationError } from "../errors.js";
import { isPromise, type MaybePromise } from "../pool/maybe-promise.js";

/**
 * The database type of a Kysely handle (`engine.db`, a transaction, a `Session`), read from
 * `withoutPlugins()`, which each returns as a plain `Kysely<DB>`: inferring `DB` from
 * `Kysely<DB>` itself mangles it for a `Session`, a subclass TypeScript matches member by member.
 */
type DatabaseOf<K> = K extends { withoutPlugins(): Kysely<infer DB> } ? DB : never;

/**
 * A query built and compiled once, run many times with new parameter values: the builder
 * and the compiler are skipped on every run (what a point select spends most of its time in
 * on SQLite), and the statement text never changes, so SQLite's statement cache and
 * PostgreSQL's named prepared statements always hit.
 */
export interface PreparedQuery<P, O> {
  /** The compiled statement, with placeholders among its parameters. */
  readonly compiled: CompiledQuery<O>;
  /** Runs the statement on `db` (the engine's `db` or one of its sessions) and returns every row. */
  execute(db: Kysely<any>, params: P): Promise<O[]>;
  /** The first row, or undefined. */
  executeTakeFirst(db: Kysely<any>, params: P): Promise<O | undefined>;
  /** The first row, or Kysely's `NoResultError`. */
  executeTakeFirstOrThrow(db: Kysely<any>, params: P): Promise<O>;
  /** The whole result (`numAffectedRows` for writes). */
  executeQuery(db: Kysely<any>, params: P): Promise<QueryResult<O>>;
}

/**
 * Prepares a query: `build` receives the database and `$`, whose properties are
 * placeholders (`$.id`) standing for the parameters given to each run. Declare their types
 * on `$`. Placeholders work wherever Kysely takes a value: `where`, `values`, `set`, `limit`;
 * not as a list (`in`), since the number of values would change the statement. Values written
 * to schema columns are encoded as built queries encode them. Run it with the engine it was
 * prepared on, or one of that engine's sessions: the SQL is that engine's dialect.
 *
 * @example
 * ```ts
 * const agentById = prepareQuery(engine.db, (db, $: { id: string }) =>
 *   db.selectFrom("agents").selectAll().where("id", "=", $.id),
 * );
 * const agent = await agentById.executeTakeFirst(engine.db, { id });
 * await sessions.run((db) => agentById.execute(db, { id })); // inside a session's transaction
 * ```
 */
export function prepareQuery<K extends Kysely<any>, P extends Record<string, unknown>, O>(db: K, build: (db: Kysely<DatabaseOf<K>>, $: P) => Compilable<O>): PreparedQuery<P, O> {
  const placeholders = new Proxy({} as P, {
    get: (_, key) => (typeof key === "string" ? new Placeholder(key) : undefined),
  });
  const compiled = build(db, placeholders).compile();
  const listed = placeholderAsList(compiled.query);
  if (listed !== undefined) {
    throw new ConfigurationError(
      `the prepared query's placeholder "${listed}" stands for a list (in / not in): a placeholder is one value, and a list's length would change the statement. ` +
        `Build that query per call, or compare with one value per placeholder`,
    );
  }
  // The SQL is the preparing engine's dialect: run elsewhere, it would fail with a syntax error, or mean something else.
  const adapter = db.getExecutor().adapter.constructor;
  const slots = compiled.parameters.map((parameter) => (parameter instanceof Placeholder ? parameter : undefined));
  const names = new Set(slots.filter((slot) => slot !== undefined).map((slot) => slot.name));

  const bind = (params: P): readonly unknown[] => {
    if (typeof params !== "object" || params === null) throw new ConfigurationError(`a prepared query needs its parameters as an object: { ${[...names].join(", ")} }`);
    return slots.map((slot, i) => {
      if (slot === undefined) return compiled.parameters[i];
      if (!(slot.name in params)) throw new ConfigurationError(`the prepared query's parameter "${slot.name}" was not given`);
      const value = params[slot.name];
      return slot.encode === undefined ? value : slot.encode(value);
    });
  };
  const run = (target: Kysely<any>, params: P, firstRowOnly: boolean): MaybePromise<QueryResult<O>> => {
    const running = target.getExecutor().adapter.constructor;
    if (running !== adapter) {
      throw new ConfigurationError(`a query prepared for ${dialectName(adapter)} was run on ${dialectName(running)}: run a prepared query on the engine it was prepared on (or one of its sessions), or prepare it again there`);
    }
    const query = new BoundQuery(compiled, bind(params), firstRowOnly);
    // The compile's query id travels with it: plugins keep what they learned about the query
    // under it (the schema plugin: how loaded relations read back).
    return autocommitRunnerFor(target)?.run<O>(query) ?? target.executeQuery<O>(query);
  };
  // A statement that ran at once (SQLite) is answered with one resolved promise, not a chain.
  const answer = <T>(target: Kysely<any>, params: P, firstRowOnly: boolean, pick: (result: QueryResult<O>) => T): Promise<T> => {
    try {
      const result = run(target, params, firstRowOnly);
      return isPromise(result) ? result.then(pick) : Promise.resolve(pick(result));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const firstOrThrow = (result: QueryResult<O>): O => {
    const row = result.rows[0];
    if (row === undefined) throw new NoResultError(compiled.query as ConstructorParameters<typeof NoResultError>[0]);
    return row;
  };
  return Object.freeze({
    compiled,
    executeQuery: (target: Kysely<any>, params: P) => answer(target, params, false, (result) => result),
    execute: (target: Kysely<any>, params: P) => answer(target, params, false, (result) => result.rows),
    executeTakeFirst: (target: Kysely<any>, params: P) => answer(target, params, true, (result) => result.rows[0]),
    executeTakeFirstOrThrow: (target: Kysely<any>, params: P) => answer(target, params, true, firstOrThrow),
  });
}

/** The placeholder compared with `in` / `not in`, where Kysely compiles a list: the first found. */
function placeholderAsList(node: unknown): string | undefined {
  if (node === null || typeof node !== "object") return undefined;
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = placeholderAsList(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const candidate = node as { kind?: string; operator?: { operator?: string }; rightOperand?: { kind?: string; value?: unknown } };
  if (candidate.kind === "BinaryOperationNode" && (candidate.operator?.operator === "in" || candidate.operator?.operator === "not in")) {
    const right = candidate.rightOperand;
    if (right?.kind === "ValueNode" && right.value instanceof Placeholder) return right.value.name;
  }
  for (const value of Object.values(node)) {
    if (value !== null && typeof value === "object") {
      const found = placeholderAsList(value);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** A dialect's name for messages, from its Kysely adapter's class (`SqliteAdapter`: SQLite). */
function dialectName(adapter: Function): string {
  const name = adapter.name.replace(/Adapter$/, "");
  return name === "Sqlite" ? "SQLite" : name === "Postgres" ? "PostgreSQL" : name || "another dialect";
}
