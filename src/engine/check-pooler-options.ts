import { PoolerIncompatibleError } from "../errors.js";
import type { EngineOptions } from "./engine-options.js";

const STARTUP_SETTINGS = [
  ["statementTimeoutMillis", "statement_timeout"],
  ["lockTimeoutMillis", "lock_timeout"],
  ["idleInTransactionTimeoutMillis", "idle_in_transaction_session_timeout"],
] as const;

/**
 * Refuses the options that rely on a server connection's state, which a transaction pooler
 * (`pooler: "transaction"`) does not keep between transactions: each refusal says why and
 * what to do instead.
 *
 * @example
 * ```ts
 * checkPoolerOptions({ prepareStatements: true }); // throws PoolerIncompatibleError
 * ```
 */
export function checkPoolerOptions(options: EngineOptions): void {
  if (options.prepareStatements === true) {
    throw new PoolerIncompatibleError(
      'prepareStatements: true cannot be used with pooler "transaction": a named prepared statement lives on one server connection, and a transaction pooler (PgBouncer before 1.21) runs the next transaction on another, where it "does not exist". Leave prepareStatements out (it defaults to false behind the pooler)',
    );
  }
  for (const [option, setting] of STARTUP_SETTINGS) {
    const value = options.postgres?.[option];
    if (value !== undefined && value > 0) {
      throw new PoolerIncompatibleError(
        `postgres.${option} cannot be used with pooler "transaction": it is sent as ${setting} when a connection starts, which PgBouncer refuses ("unsupported startup parameter") or drops. Set it on the role or database instead (ALTER ROLE app SET ${setting} = '${value}ms'), or per transaction with SET LOCAL`,
      );
    }
  }
  if ((options.postgres?.pipeline ?? 0) > 0) {
    throw new PoolerIncompatibleError(
      'postgres.pipeline cannot be used with pooler "transaction": it writes statements to a connection without waiting for the answers before them, and a transaction pooler may hand each one to another server connection. Pipeline against the server directly, or leave postgres.pipeline at 0 behind the pooler',
    );
  }
  if (options.postgres?.onConnect !== undefined) {
    throw new PoolerIncompatibleError(
      'postgres.onConnect cannot be used with pooler "transaction": it runs on the connection to the pooler, and what it sets stays on whichever server connection ran it, not on the ones later transactions get. Set such settings on the role or database (ALTER ROLE app SET search_path = app)',
    );
  }
}
