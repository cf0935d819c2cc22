import {
  AthanorError,
  CheckViolationError,
  ConnectionFailedError,
  ConnectionLostError,
  DatabaseError,
  DeadlockError,
  ForeignKeyViolationError,
  LockTimeoutError,
  NotNullViolationError,
  PoolerIncompatibleError,
  CommitOutcomeUnknownError,
  QueryCanceledError,
  ReadOnlyViolationError,
  SerializationFailureError,
  UniqueViolationError,
} from "../../errors.js";

interface PgErrorFields {
  code?: string;
  message?: string;
  constraint?: string;
  table?: string;
  column?: string;
  detail?: string;
}

const LOST_MESSAGES = [
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
  "read ECONNRESET",
  "write EPIPE",
  "This socket has been ended by the other party",
];
const NETWORK_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);
const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "28P01", "28000", "3D000", "53300", "57P03"]);

/**
 * Maps a `pg` error to the catalogue. SQLSTATE classes: 23xxx integrity, 40001/40P01
 * retryable, 55P03 lock, 57014 cancel, 08xxx and 57P01-02 connection loss.
 */
export function mapPostgresError(error: unknown): AthanorError {
  if (error instanceof AthanorError) return error;
  const fields = (typeof error === "object" && error !== null ? error : {}) as PgErrorFields;
  const code = fields.code;
  const message = fields.message ?? String(error);
  const details = { constraint: fields.constraint, table: fields.table, columns: constraintColumns(code, fields), detail: fields.detail };
  const options = { cause: error };
  switch (code) {
    case "23505":
      return new UniqueViolationError(message, details, options);
    case "23503":
      return new ForeignKeyViolationError(message, details, options);
    case "23502":
      return new NotNullViolationError(message, details, options);
    case "23514":
      return new CheckViolationError(message, details, options);
    case "40001":
      return new SerializationFailureError(message, options);
    case "40P01":
      return new DeadlockError(message, options);
    case "55P03":
      return new LockTimeoutError(message, options);
    case "57014":
      return new QueryCanceledError(message, options);
    case "25006":
      return new ReadOnlyViolationError(message, options);
    case "40003":
      // CockroachDB's statement_completion_unknown: a COMMIT (or a statement run as its own
      // transaction) lost track of its outcome inside the cluster; it may or may not have happened.
      return new CommitOutcomeUnknownError(`the database could not tell whether the statement or commit took effect (40003): ${message}`, options);
    case "26000":
    case "42P05":
      if (/prepared statement/i.test(message)) return poolerIncompatible(message, error);
  }
  if (code !== undefined && (code.startsWith("08") || code === "57P01" || code === "57P02")) {
    return new ConnectionLostError(message, options);
  }
  if ((code !== undefined && NETWORK_CODES.has(code)) || LOST_MESSAGES.some((text) => message.includes(text))) {
    return new ConnectionLostError(message, options);
  }
  if (code !== undefined && CONNECT_CODES.has(code)) return new ConnectionFailedError(message, options);
  return new DatabaseError(message, code, options);
}

/**
 * A named statement that was prepared on one server connection and used on another (or
 * prepared twice on one): what a transaction pooler such as PgBouncer 1.18 does to named
 * prepared statements. The server's own message is kept at the end.
 */
function poolerIncompatible(message: string, cause: unknown): PoolerIncompatibleError {
  return new PoolerIncompatibleError(
    `a named prepared statement was not where this connection left it (${message}): the connection goes through a transaction pooler (PgBouncer with pool_mode = transaction), which runs each transaction on any server connection. Set postgres: { pooler: "transaction" } (or ?pooler=transaction in the URL), which sends statements unnamed`,
    { cause },
  );
}

/**
 * The violated constraint's columns, as far as the error says: the column of a NOT NULL
 * violation, and the key of a unique violation or of a missing parent (`Key (a, "B")=(…)`).
 * Not for a parent still referenced: that key is the referenced table's, not the constraint's.
 */
function constraintColumns(code: string | undefined, fields: PgErrorFields): string[] | undefined {
  if (code === "23502") return fields.column === undefined ? undefined : [fields.column];
  if (code !== "23505" && code !== "23503") return undefined;
  if (fields.detail === undefined || !/\)=\(.*\) (already exists|is not present in table)/s.test(fields.detail)) return undefined;
  return keyColumns(fields.detail);
}

/** `Key (a, "Mixed Case", b)=(…)` → `["a", "Mixed Case", "b"]`; undefined for an expression key (`lower(email)`). */
export function keyColumns(detail: string): string[] | undefined {
  if (!detail.startsWith("Key (")) return undefined;
  const columns: string[] = [];
  let i = "Key (".length;
  for (;;) {
    if (detail[i] === '"') {
      let name = "";
      i++;
      for (;;) {
        if (i >= detail.length) return undefined;
        if (detail[i] === '"' && detail[i + 1] === '"') {
          name += '"';
          i += 2;
        } else if (detail[i] === '"') {
          i++;
          break;
        } else name += detail[i++];
      }
      columns.push(name);
    } else {
      const bare = /^[a-z_\u0080-\uffff][a-z0-9_$\u0080-\uffff]*/.exec(detail.slice(i))?.[0];
      if (bare === undefined) return undefined;
      columns.push(bare);
      i += bare.length;
    }
    if (detail.startsWith(", ", i)) i += 2;
    else if (detail.startsWith(")=(", i)) return columns;
    else return undefined;
  }
}

/** Maps an error raised while opening a connection. */
export function mapPostgresConnectError(error: unknown): AthanorError {
  const mapped = mapPostgresError(error);
  if (mapped instanceof ConnectionLostError || mapped instanceof DatabaseError) {
    return new ConnectionFailedError(`could not connect to PostgreSQL: ${mapped.message}`, { cause: error });
  }
  return mapped;
}
