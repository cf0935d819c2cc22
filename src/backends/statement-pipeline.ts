import type { CompiledQuery, QueryResult } from "kysely";

/**
 * Autocommit statements written to a few shared connections without waiting for the
 * statements ahead of them (PostgreSQL's `postgres.pipeline`): the engine's query builder
 * sends a statement here instead of checking a connection out of the pool for one round trip.
 * Transactions, `db.connection()`, streams and raw SQL keep a pooled connection of their own.
 */
export interface StatementPipeline {
  /** Whether `compiledQuery` may be pipelined (a builder statement, not raw SQL or a COPY), and the pipeline is open. */
  accepts(compiledQuery: CompiledQuery): boolean;
  /** Runs one statement on the least busy pipelined connection, opening one if it needs to. */
  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>>;
  /** Connections open and statements in flight, for `engine.pool.status()`. */
  status(): { readonly connections: number; readonly inFlight: number };
  /** Lets the statements in flight finish (within the grace period) and closes the connections. Idempotent. */
  close(): Promise<void>;
}
