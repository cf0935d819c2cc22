import type Database from "better-sqlite3";
import type { CompiledQuery, QueryResult } from "kysely";
import type { Instrumentation } from "../../engine/instrumentation.js";
import { ConnectionLostError, type AthanorError } from "../../errors.js";
import { arePlainParameters } from "../plain-parameters.js";
import { StatementCache } from "../statement-cache.js";
import { mapSqliteError } from "./sqlite-error-mapper.js";
import { toSqliteParameters } from "./sqlite-parameters.js";

/**
 * One better-sqlite3 database handle with a bounded LRU of prepared statements (preparing
 * is a large share of a point query's cost in SQLite). Synchronous by nature: callers
 * decide, with the pool's mutex, when it may run.
 */
export class SqliteConnection {
  readonly id: number;
  readonly database: Database.Database;
  readonly #instrumentation: Instrumentation;
  readonly #statements: StatementCache<Database.Statement>;

  constructor(id: number, database: Database.Database, instrumentation: Instrumentation, cacheSize: number) {
    this.id = id;
    this.database = database;
    this.#instrumentation = instrumentation;
    this.#statements = new StatementCache(cacheSize);
  }

  /** True while a transaction is open on this handle. */
  get inTransaction(): boolean {
    return this.database.inTransaction;
  }

  /** Runs a compiled query; throws catalogue errors. */
  run<R>(compiledQuery: CompiledQuery): QueryResult<R> {
    const { sql, parameters } = compiledQuery;
    const tracing = this.#instrumentation.tracingQueries;
    const startedAt = tracing ? performance.now() : 0;
    try {
      const statement = this.#prepare(sql);
      const bound = arePlainParameters(parameters) ? parameters : toSqliteParameters(parameters);
      let result: QueryResult<R>;
      if (statement.reader) {
        result = { rows: statement.all(bound) as R[] };
      } else {
        const { changes, lastInsertRowid } = statement.run(bound);
        result = { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
      }
      if (tracing) this.#instrumentation.query(sql, parameters, startedAt, result.rows.length || Number(result.numAffectedRows ?? 0));
      return result;
    } catch (error) {
      const mapped = this.#mapError(error);
      if (tracing) this.#instrumentation.query(sql, parameters, startedAt, undefined, mapped);
      this.#instrumentation.error(mapped, sql);
      throw mapped;
    }
  }

  /** Runs one statement without parameters or result (transaction control). */
  exec(sql: string): void {
    const tracing = this.#instrumentation.tracingQueries;
    const startedAt = tracing ? performance.now() : 0;
    try {
      // Prepared and cached like any statement: `database.exec` would parse BEGIN/COMMIT anew each time.
      this.#prepare(sql).run();
      if (tracing) this.#instrumentation.query(sql, [], startedAt, undefined);
    } catch (error) {
      const mapped = this.#mapError(error);
      if (tracing) this.#instrumentation.query(sql, [], startedAt, undefined, mapped);
      this.#instrumentation.error(mapped, sql);
      throw mapped;
    }
  }

  #mapError(error: unknown): AthanorError {
    if (this.database.open) return mapSqliteError(error);
    return new ConnectionLostError("the SQLite connection was closed: the engine was disposed while this transaction was still open", { cause: error });
  }

  close(): void {
    this.#statements.clear();
    if (this.database.open) this.database.close();
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement !== undefined) return statement;
    statement = this.database.prepare(sql);
    this.#statements.add(sql, statement);
    return statement;
  }
}
