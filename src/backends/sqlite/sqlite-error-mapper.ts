import {
  AthanorError,
  CheckViolationError,
  ConnectionFailedError,
  DatabaseError,
  ForeignKeyViolationError,
  LockTimeoutError,
  NotNullViolationError,
  ReadOnlyViolationError,
  UniqueViolationError,
} from "../../errors.js";

/**
 * Maps a better-sqlite3 `SqliteError` to the catalogue. SQLite names the table and column
 * in its message ("UNIQUE constraint failed: users.email"); they are parsed out so both
 * dialects report the same fields.
 */
export function mapSqliteError(error: unknown): AthanorError {
  if (error instanceof AthanorError) return error;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const options = { cause: error };
  switch (code) {
    case "SQLITE_CONSTRAINT_UNIQUE":
    case "SQLITE_CONSTRAINT_PRIMARYKEY":
      return new UniqueViolationError(message, columnDetails(message), options);
    case "SQLITE_CONSTRAINT_NOTNULL":
      return new NotNullViolationError(message, columnDetails(message), options);
    case "SQLITE_CONSTRAINT_FOREIGNKEY":
      return new ForeignKeyViolationError(message, {}, options);
    case "SQLITE_CONSTRAINT_CHECK":
      return new CheckViolationError(message, checkDetails(message), options);
    case "SQLITE_BUSY":
    case "SQLITE_BUSY_SNAPSHOT":
    case "SQLITE_BUSY_TIMEOUT":
    case "SQLITE_LOCKED":
      return new LockTimeoutError(message, options);
    case "SQLITE_READONLY":
      // Readers run with query_only: this is a write inside a read-only transaction.
      return new ReadOnlyViolationError(message, options);
    case "SQLITE_CANTOPEN":
    case "SQLITE_NOTADB":
    case "SQLITE_PERM":
      return new ConnectionFailedError(message, options);
  }
  return new DatabaseError(message, code, options);
}

/**
 * "UNIQUE constraint failed: users.email, users.name" → the table and every column;
 * "UNIQUE constraint failed: index 'ix_name'" (a unique index over an expression) → the index's name.
 */
function columnDetails(message: string): { table?: string; columns?: string[]; constraint?: string } {
  const index = /constraint failed: index '(.+)'$/.exec(message)?.[1];
  if (index !== undefined) return { constraint: index };
  const list = /constraint failed: (.+)$/.exec(message)?.[1];
  if (list === undefined) return {};
  const pairs = list.split(", ").map((entry) => /^([^.]+)\.(.+)$/.exec(entry));
  if (pairs.some((pair) => pair === null)) return {};
  return { table: pairs[0]![1]!, columns: pairs.map((pair) => pair![2]!) };
}

/** "CHECK constraint failed: ck_price_positive" → the constraint's name. */
function checkDetails(message: string): { constraint?: string } {
  const match = /CHECK constraint failed: (.+)$/.exec(message);
  return match?.[1] === undefined ? {} : { constraint: match[1].trim() };
}
