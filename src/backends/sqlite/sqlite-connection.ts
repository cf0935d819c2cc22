import type Database from "better-sqlite3";
import type { CompiledQuery, QueryResult } from "kysely";
import type { Instrumentation } from "../../engine/instrumentation.js";
import { ConnectionLostError, type AthanorError } from "../../errors.js";
import { BoundQuery } from "../bound-query.js";
import { arePlainParameters } from "../plain-parameters.js";
import { StatementCache } from "../statement-cache.js";
import { mapSqliteError } from "./sqlite-error-mapper.js";
import { toSqliteParameters } from "./sqlite-parameters.js";
import { rowDecoder, type RowDecoder, type ValueDecoders } from "../../schema/value-decoders.js";

/**
 * One better-sqlite3 database handle with a bounded LRU of prepared statements (preparing
 * is a large share of a point query's cost in SQLite). Synchronous by nature: callers
 * decide, with the pool's mutex, when it may run.
 */
export class SqliteConnection {
  readonly id: number;
  readonly database: Database.Database;
  readonly #instrumentation: Instrumentation;
  readonly #statements: StatementCache<Prepared>;
  /** Statements of prepared queries, by their compiled query: no lookup of the SQL text per run, and never evicted while the prepared query lives. */
  #bound = new WeakMap<CompiledQuery, Prepared>();
  readonly #decoders: ValueDecoders | undefined;

  /** @param decoders the engine's schema values, read back by each statement's result columns (none without a schema) */
  constructor(id: number, database: Database.Database, instrumentation: Instrumentation, cacheSize: number, decoders: ValueDecoders | undefined) {
    this.id = id;
    this.database = database;
    this.#instrumentation = instrumentation;
    this.#statements = new StatementCache(cacheSize);
    this.#decoders = decoders;
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
      const isBound = compiledQuery instanceof BoundQuery;
      const prepared = isBound ? this.#prepareBound(compiledQuery.template) : this.#prepare(sql);
      const { statement } = prepared;
      const bound = arePlainParameters(parameters) ? parameters : toSqliteParameters(parameters);
      let result: QueryResult<R>;
      if (statement.reader) {
        let rows: Array<Record<string, unknown>>;
        // A SELECT of which only the first row is wanted stops there (`get`, as a point select
        // on better-sqlite3 is written); a write with RETURNING always runs to its end.
        if (isBound && compiledQuery.firstRowOnly && compiledQuery.query.kind === "SelectQueryNode") {
          const row = statement.get(bound) as Record<string, unknown> | undefined;
          rows = row === undefined ? [] : [row];
        } else {
          rows = statement.all(bound) as Array<Record<string, unknown>>;
        }
        if (this.#decoders !== undefined && rows.length > 0) {
          if (prepared.decode === undefined) prepared.decode = sqliteRowDecoder(statement, this.#decoders) ?? null;
          prepared.decode?.(rows);
        }
        result = { rows: rows as R[] };
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
      this.#prepare(sql).statement.run();
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
    this.#bound = new WeakMap();
    if (this.database.open) this.database.close();
  }

  #prepareBound(template: CompiledQuery): Prepared {
    let prepared = this.#bound.get(template);
    if (prepared === undefined) {
      prepared = { statement: this.database.prepare(template.sql), decode: undefined };
      this.#bound.set(template, prepared);
    }
    return prepared;
  }

  #prepare(sql: string): Prepared {
    let prepared = this.#statements.get(sql);
    if (prepared !== undefined) return prepared;
    prepared = { statement: this.database.prepare(sql), decode: undefined };
    this.#statements.add(sql, prepared);
    return prepared;
  }
}

/** A cached statement, with the decoder of its result rows once it has returned some (null: none needed). */
interface Prepared {
  readonly statement: Database.Statement;
  decode: RowDecoder | null | undefined;
}

/**
 * SQLite says, for each result column, the table and column it comes from (through CTEs,
 * subqueries, joins and unions) or its declared type: a schema column decodes as the schema
 * declares it, another column by its declared type, an expression not at all.
 */
function sqliteRowDecoder(statement: Database.Statement, decoders: ValueDecoders): RowDecoder | undefined {
  const columns = statement.columns();
  return rowDecoder(
    columns.map((column) => column.name),
    columns.map((column) => {
      if (column.table !== null && column.column !== null && decoders.declares(column.table, column.column)) return decoders.column(column.table, column.column);
      return column.type === null ? undefined : decoders.type(decoders.mapping.parseColumnType(column.type, undefined));
    }),
  );
}
