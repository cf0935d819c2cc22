import type { PoolStatus } from "./pool/pool-status.js";

/** Marks errors made by any copy of Athanor (see {@link AthanorError}'s `instanceof`). */
const ERROR_BRAND = Symbol.for("athanor.error");

/**
 * The error catalogue. Every error Athanor throws is an {@link AthanorError}
 * with a stable `code`; driver errors are wrapped into the matching subclass
 * with the original kept as `cause`. Every code is listed in `docs/errors.md`
 * (a test fails when the two drift).
 *
 * @example
 * ```ts
 * import { UniqueViolationError } from "athanor/errors";
 * try {
 *   await db.insertInto("users").values({ email }).execute();
 * } catch (error) {
 *   if (error instanceof UniqueViolationError) return reply.code(409).send({ field: error.column });
 *   throw error;
 * }
 * ```
 */
export class AthanorError extends Error {
  /** Stable machine-readable code, e.g. `UNIQUE_VIOLATION`. */
  readonly code: string;
  /** True when re-running the whole unit of work may succeed (serialization failure, deadlock). */
  readonly retryable: boolean = false;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }

  /**
   * `instanceof` also holds for errors made by another copy of Athanor in the same process:
   * its ES module and CommonJS builds, when both are loaded (an ES module app whose
   * CommonJS dependency requires Athanor), are two sets of classes. Matched by class name
   * along the prototype chain, only for errors that carry Athanor's brand.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== "object" || value === null || !(ERROR_BRAND in value)) return false;
    for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
      if ((proto as { constructor?: { name?: string } }).constructor?.name === this.name) return true;
    }
    return false;
  }
}


/** Details about a violated constraint (each may be absent). */
export interface ConstraintDetails {
  readonly constraint?: string | undefined;
  readonly table?: string | undefined;
  /** The constraint's columns, in its order. */
  readonly columns?: readonly string[] | undefined;
  /** The first (or only) column; taken from `columns` when not given. */
  readonly column?: string | undefined;
  readonly detail?: string | undefined;
}

/**
 * Base of the integrity-constraint errors. `table`, `columns` and `constraint` say which
 * constraint was violated, the same on every dialect: what the database reports, completed
 * from the engine's schema (which knows every constraint's name and columns) where the
 * database does not say. `table` is the table the constraint belongs to (for a foreign key,
 * the referencing table, also when a DELETE of the referenced row failed); `columns` is empty
 * when unknown; `column` is `columns[0]`, kept for older code.
 *
 * @example
 * ```ts
 * if (error instanceof UniqueViolationError && error.table === "users" && error.columns.includes("email")) {
 *   return reply.code(400).send({ detail: "Email already exists" });
 * }
 * ```
 */
export abstract class ConstraintViolationError extends AthanorError {
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly columns: readonly string[];
  readonly column: string | undefined;
  readonly detail: string | undefined;

  constructor(code: string, message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super(code, message, options);
    this.constraint = details.constraint;
    this.table = details.table;
    this.columns = Object.freeze([...(details.columns ?? (details.column === undefined ? [] : [details.column]))]);
    this.column = details.column ?? this.columns[0];
    this.detail = details.detail;
  }
}

/**
 * @internal Fills what a constraint error does not say yet (the engine completes errors from
 * its schema as they leave a statement); never overwrites what the database said.
 */
export function completeConstraintDetails(error: ConstraintViolationError, details: ConstraintDetails): void {
  const target = error as { -readonly [K in keyof ConstraintViolationError]: ConstraintViolationError[K] };
  if (target.constraint === undefined && details.constraint !== undefined) target.constraint = details.constraint;
  if (target.table === undefined && details.table !== undefined) target.table = details.table;
  if (target.columns.length === 0 && details.columns !== undefined && details.columns.length > 0) target.columns = Object.freeze([...details.columns]);
  if (target.column === undefined) target.column = target.columns[0];
}

/** A UNIQUE or PRIMARY KEY constraint was violated. */
export class UniqueViolationError extends ConstraintViolationError {
  constructor(message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super("UNIQUE_VIOLATION", message, details, options);
  }
}

/** A FOREIGN KEY constraint was violated (missing parent, or a parent still referenced). */
export class ForeignKeyViolationError extends ConstraintViolationError {
  constructor(message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super("FOREIGN_KEY_VIOLATION", message, details, options);
  }
}

/** A NOT NULL constraint was violated. */
export class NotNullViolationError extends ConstraintViolationError {
  constructor(message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super("NOT_NULL_VIOLATION", message, details, options);
  }
}

/** A CHECK constraint was violated. */
export class CheckViolationError extends ConstraintViolationError {
  constructor(message: string, details: ConstraintDetails, options?: { cause?: unknown }) {
    super("CHECK_VIOLATION", message, details, options);
  }
}

/** The database could not serialize this transaction against concurrent ones; retry the unit of work. */
export class SerializationFailureError extends AthanorError {
  override readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super("SERIALIZATION_FAILURE", message, options);
  }
}

/** The database chose this transaction as a deadlock victim; retry the unit of work. */
export class DeadlockError extends AthanorError {
  override readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super("DEADLOCK", message, options);
  }
}

/** A lock could not be obtained in time (PostgreSQL `lock_timeout`/`NOWAIT`, SQLite `SQLITE_BUSY`). */
export class LockTimeoutError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LOCK_TIMEOUT", message, options);
  }
}

/** A statement ran longer than `statement_timeout` or was cancelled. */
export class QueryCanceledError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("QUERY_CANCELED", message, options);
  }
}

/** The connection to the database was lost (server restart, terminated backend, network failure). */
export class ConnectionLostError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONNECTION_LOST", message, options);
  }
}

/** A new connection to the database could not be opened (refused, authentication, unknown database). */
export class ConnectionFailedError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONNECTION_FAILED", message, options);
  }
}

/**
 * No connection could be checked out within `acquireTimeoutMillis`. The message states
 * the pool status and the age and acquisition site of the oldest checkouts, so a leak
 * (one old checkout that never returns) can be told from load (many young ones).
 */
export class PoolTimeoutError extends AthanorError {
  /** Pool status at the moment of the timeout. */
  readonly status: PoolStatus;
  constructor(message: string, status: PoolStatus, options?: { cause?: unknown }) {
    super("POOL_TIMEOUT", message, options);
    this.status = status;
  }
}

/** Invalid configuration: a malformed URL, an unknown scheme, an unknown or invalid option. */
export class ConfigurationError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIGURATION_ERROR", message, options);
  }
}

/** The engine was disposed; it cannot be used any more. */
export class EngineDisposedError extends AthanorError {
  constructor(message = "the engine has been disposed; create a new engine to run more queries") {
    super("ENGINE_DISPOSED", message);
  }
}

/** A database driver (`pg`, `better-sqlite3`) is not installed. */
export class DriverMissingError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DRIVER_MISSING", message, options);
  }
}

/** Any other error reported by the database, wrapped with the original as `cause`. */
export class DatabaseError extends AthanorError {
  /** The database's own error code (SQLSTATE on PostgreSQL, e.g. `42P01`; `SQLITE_ERROR` on SQLite). */
  readonly databaseCode: string | undefined;
  constructor(message: string, databaseCode: string | undefined, options?: { cause?: unknown }) {
    super("DATABASE_ERROR", message, options);
    this.databaseCode = databaseCode;
  }
}

/** The operation is not supported by this backend. */
export class NotSupportedError extends AthanorError {
  constructor(message: string) {
    super("NOT_SUPPORTED", message);
  }
}

/** A transaction-control call that does not fit the connection's state (begin twice, commit with none open). */
export class TransactionStateError extends AthanorError {
  constructor(message: string) {
    super("TRANSACTION_STATE", message);
  }
}

/** The user's `onConnect` hook (`sqlite.onConnect`, `postgres.onConnect`) threw; the connection was closed. */
export class ConnectHookError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONNECT_HOOK_FAILED", message, options);
  }
}

/** The session was closed; open a new one. */
export class SessionClosedError extends AthanorError {
  constructor(message = "the session is closed; open a new session (sessions.open() or sessions.run())") {
    super("SESSION_CLOSED", message);
  }
}

/**
 * One session was used from two async paths in a way that would interleave statements:
 * a statement from outside a running `nested()` block, two `nested()` blocks at once, or
 * `commit()`/`rollback()` while statements are still running.
 */
export class SessionBusyError extends AthanorError {
  constructor(message: string) {
    super("SESSION_BUSY", message);
  }
}

/**
 * A `run()` inside another `run()` would join the outer transaction (propagation `"required"`
 * or `"nested"`) but asks for what that transaction cannot give: another isolation level, or
 * `autoCommit: false` (only the outermost run commits). Nothing ran. `option` names the option.
 */
export class SessionJoinError extends AthanorError {
  readonly option: "isolationLevel" | "autoCommit";
  constructor(message: string, option: "isolationLevel" | "autoCommit") {
    super("SESSION_JOIN_REFUSED", message);
    this.option = option;
  }
}

/**
 * An earlier statement in this transaction failed, so the transaction is aborted (on every
 * dialect, so code behaves the same on SQLite and PostgreSQL). Roll back, or wrap the
 * statement that may fail in `session.nested()` to recover from it.
 */
export class TransactionAbortedError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TRANSACTION_ABORTED", message, options);
  }
}

/** `sessions.current()` was called outside `sessions.run()`. */
export class NoCurrentSessionError extends AthanorError {
  constructor(message = "no session is bound to this async context: call current() inside sessions.run(), or pass the session explicitly") {
    super("NO_CURRENT_SESSION", message);
  }
}

/**
 * The connection was lost while COMMIT was in flight: the transaction may or may not have
 * been committed. Never retried automatically; check the data (or make the work idempotent).
 */
export class CommitOutcomeUnknownError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("COMMIT_OUTCOME_UNKNOWN", message, options);
  }
}

/** An `afterCommit`/`afterRollback` hook threw. Reported as an engine `error` event, never thrown: the transaction's outcome is already settled. */
export class HookFailedError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("HOOK_FAILED", message, options);
  }
}

/** A write was attempted in a read-only transaction (`readOnly: true`). */
export class ReadOnlyViolationError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("READ_ONLY_VIOLATION", message, options);
  }
}

/** A revision points to a down-revision that no revision in the graph declares. */
export interface MissingDownRevision {
  /** The revision that declares the down-revision. */
  readonly revision: string;
  /** The down-revision it names, which does not exist. */
  readonly downRevision: string;
}

/** The revisions' down-revisions form a cycle, so there is no order to apply them in. */
export class RevisionCycleError extends AthanorError {
  /** The revisions on the cycle, each followed by its own down-revision; the last one's down-revision is the first. */
  readonly cycle: readonly string[];
  constructor(message: string, cycle: readonly string[]) {
    super("REVISION_CYCLE", message);
    this.cycle = Object.freeze([...cycle]);
  }
}

/** One or more revisions name a down-revision that does not exist (deleted, renamed, or a typo). */
export class MissingDownRevisionError extends AthanorError {
  /** Every dangling reference, in revision order. */
  readonly missing: readonly MissingDownRevision[];
  constructor(message: string, missing: readonly MissingDownRevision[]) {
    super("MISSING_DOWN_REVISION", message);
    this.missing = Object.freeze(missing.map((entry) => Object.freeze({ ...entry })));
  }
}

/** Two or more revisions declare the same revision id. */
export class DuplicateRevisionError extends AthanorError {
  /** Each duplicated id, once. */
  readonly revisions: readonly string[];
  constructor(message: string, revisions: readonly string[]) {
    super("DUPLICATE_REVISION", message);
    this.revisions = Object.freeze([...revisions]);
  }
}

/** A revision record is malformed: an invalid or reserved id, or an invalid down-revision. */
export class InvalidRevisionError extends AthanorError {
  /** The offending revision's id as given (it may itself be the problem). */
  readonly revision: unknown;
  constructor(message: string, revision: unknown) {
    super("INVALID_REVISION", message);
    this.revision = revision;
  }
}

/** No revision has this id, and none starts with it. */
export class UnknownRevisionError extends AthanorError {
  /** The id or prefix that was looked up. */
  readonly revision: string;
  constructor(message: string, revision: string) {
    super("UNKNOWN_REVISION", message);
    this.revision = revision;
  }
}

/** A revision prefix matches more than one revision. */
export class AmbiguousRevisionError extends AthanorError {
  /** The prefix that was looked up. */
  readonly prefix: string;
  /** Every revision id starting with the prefix. */
  readonly candidates: readonly string[];
  constructor(message: string, prefix: string, candidates: readonly string[]) {
    super("AMBIGUOUS_REVISION", message);
    this.prefix = prefix;
    this.candidates = Object.freeze([...candidates]);
  }
}

/** A single head was needed (`head`, `head-1`), but the revision graph has several: upgrade to `heads`, name one, or merge them. */
export class MultipleHeadsError extends AthanorError {
  /** The heads of the revision graph. */
  readonly heads: readonly string[];
  constructor(message: string, heads: readonly string[]) {
    super("MULTIPLE_HEADS", message);
    this.heads = Object.freeze([...heads]);
  }
}

/** Why a migration target was refused; see {@link InvalidMigrationTargetError}. */
export type InvalidMigrationTargetReason =
  /** The target is not `head`, `heads`, `base`, a revision, `+N`, `-N`, `<rev>+N` or `<rev>-N` (N ≥ 1). */
  | "syntax"
  /** The target points the other way: `upgrade -1`, `downgrade +1`, `downgrade heads`. */
  | "direction"
  /** A relative step walks past the heads or below the base. */
  | "out-of-range"
  /** A relative step has more than one way to go (a branch point, several current heads, a merge walked down). */
  | "ambiguous-step"
  /** `+N` reaches a merge revision whose other down-revisions are not applied. */
  | "unapplied-merge-parents"
  /** A downgrade target that is not applied, so there is nothing above it to unapply. */
  | "not-applied";

/** A migration target cannot be planned from the current state; `reason` says why and `revisions` names the revisions involved. */
export class InvalidMigrationTargetError extends AthanorError {
  /** The target as given, e.g. `+2`. */
  readonly target: string;
  readonly reason: InvalidMigrationTargetReason;
  /** The revisions involved: the choices of an ambiguous step, a merge's unapplied parents, the unapplied target. */
  readonly revisions: readonly string[];
  constructor(message: string, target: string, reason: InvalidMigrationTargetReason, revisions: readonly string[] = []) {
    super("INVALID_MIGRATION_TARGET", message);
    this.target = target;
    this.reason = reason;
    this.revisions = Object.freeze([...revisions]);
  }
}

/** An applied revision whose down-revisions are not all applied. */
export interface UnappliedAncestors {
  /** The applied revision. */
  readonly revision: string;
  /** Its ancestors that are not applied. */
  readonly missing: readonly string[];
}

/**
 * The database's applied revisions do not fit the revision graph: an applied revision no
 * longer exists (its file was deleted or its id changed), or an applied revision has
 * unapplied ancestors (a new revision was inserted below applied ones).
 */
export class InconsistentMigrationStateError extends AthanorError {
  /** Applied revisions that the revision graph does not contain. */
  readonly unknownRevisions: readonly string[];
  /** Applied revisions with ancestors that are not applied. */
  readonly unappliedAncestors: readonly UnappliedAncestors[];
  constructor(message: string, unknownRevisions: readonly string[], unappliedAncestors: readonly UnappliedAncestors[]) {
    super("INCONSISTENT_MIGRATION_STATE", message);
    this.unknownRevisions = Object.freeze([...unknownRevisions]);
    this.unappliedAncestors = Object.freeze(
      unappliedAncestors.map((entry) => Object.freeze({ revision: entry.revision, missing: Object.freeze([...entry.missing]) })),
    );
  }
}

/** A `.sql` revision file is malformed: a missing or unknown header, a missing or repeated section. */
export class InvalidSqlRevisionError extends AthanorError {
  /** The file name given to the parser. */
  readonly file: string;
  /** The 1-based line of the problem. */
  readonly line: number;
  constructor(message: string, file: string, line: number) {
    super("INVALID_SQL_REVISION", message);
    this.file = file;
    this.line = line;
  }
}

/** A SQL script cannot be split into statements: a string, quoted identifier, comment or dollar-quoted body is never closed. */
export class SqlScriptSyntaxError extends AthanorError {
  /** The 1-based line where the unclosed construct starts. */
  readonly line: number;
  constructor(message: string, line: number) {
    super("SQL_SCRIPT_SYNTAX", message);
    this.line = line;
  }
}

/** A schema declaration is invalid (unknown referenced table, composite key column not declared `notNull()`, …). */
export class SchemaDefinitionError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SCHEMA_DEFINITION", message, options);
  }
}

/**
 * A value cannot be written to its column as the schema's value policy says it reads back: a
 * vector of non-numbers, an invalid `Date`, a string holding a lone surrogate (no database
 * stores one; it would read back as U+FFFD), a `bigint` beyond ±2^53 − 1 on SQLite (it would
 * read back rounded), NaN on SQLite (stored as NULL), a string longer than its `varchar(n)` on
 * PostgreSQL (which would cut trailing spaces silently). Nothing is written. The message names `table.column`.
 */
export class InvalidValueError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_VALUE", message, options);
  }
}

/** Tables reference each other in a cycle, so no foreign-key order exists; `cycle` names it (`["a", "b", "a"]`). */
export class SchemaCycleError extends AthanorError {
  readonly cycle: readonly string[];
  constructor(cycle: readonly string[]) {
    super("SCHEMA_CYCLE", `foreign keys form a cycle: ${cycle.join(" → ")}; break it with a nullable column filled after insert, or a migration`);
    this.cycle = Object.freeze([...cycle]);
  }
}

/** `resetDatabase` refused to run outside the development environment; nothing was touched. */
export class ResetRefusedError extends AthanorError {
  readonly environment: string | undefined;
  constructor(environment: string | undefined) {
    super("RESET_REFUSED", `refusing to reset the database: environment is ${environment === undefined ? "not set" : `"${environment}"`}, and reset runs only when it is "development"`);
    this.environment = environment;
  }
}

/** Seeding failed; nothing was written. Names the table, the fixture row (0-based) and, when known, the column. */
export class SeedError extends AthanorError {
  readonly table: string;
  /** The row's position in its table's fixtures (0-based). */
  readonly row: number | undefined;
  readonly column: string | undefined;
  /** The row's fixture-local name, when its table's fixtures name their rows. */
  readonly fixture: string | undefined;
  constructor(message: string, where: { table: string; row?: number | undefined; column?: string | undefined; fixture?: string | undefined }, options?: { cause?: unknown }) {
    super("SEED_FAILED", message, options);
    this.table = where.table;
    this.row = where.row;
    this.column = where.column;
    this.fixture = where.fixture;
  }
}

/** Another migrator held the migration lock for longer than the wait allowed. */
export class MigrationLockTimeoutError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MIGRATION_LOCK_TIMEOUT", message, options);
  }
}

/**
 * A migrator lost its migration lock while working (the connection holding PostgreSQL's
 * advisory lock died; SQLite's lock file was deleted or replaced). Detected before a
 * revision commits: that revision was rolled back, and nothing more runs, since another
 * migrator may hold the lock now.
 */
export class MigrationLockLostError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MIGRATION_LOCK_LOST", message, options);
  }
}

/** An applied revision's file changed since it was applied (its checksum differs). */
export class ChecksumMismatchError extends AthanorError {
  readonly revision: string;
  readonly path: string;
  constructor(revision: string, path: string, applied: string, current: string) {
    super(
      "CHECKSUM_MISMATCH",
      `revision ${revision} (${path}) was edited after it was applied: checksum ${current.slice(0, 12)} differs from the applied ${applied.slice(0, 12)}. ` +
        "Revert the file, or write a new revision for the change.",
    );
    this.revision = revision;
    this.path = path;
  }
}

/** The database records a revision that no file in the migrations folder defines. */
export class RevisionScriptMissingError extends AthanorError {
  readonly revision: string;
  constructor(revision: string, directory: string) {
    super(
      "REVISION_SCRIPT_MISSING",
      `revision ${revision} is applied to the database but no file in ${directory} defines it (deleted or renamed?). Restore the file; never delete applied revisions.`,
    );
    this.revision = revision;
  }
}

/** A revision file cannot be loaded: bad export, bad fields, unreadable. */
export class InvalidRevisionScriptError extends AthanorError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super("INVALID_REVISION_SCRIPT", `${path}: ${message}`, options);
    this.path = path;
  }
}

/**
 * `athanor adopt` refused, and changed nothing in the migrations folder: the legacy folder
 * is not a list of numbered `NNN_name.sql` files, the migrations folder holds revisions of
 * its own, or an adopted revision file no longer matches its legacy file (`path`).
 */
export class AdoptRefusedError extends AthanorError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super("ADOPT_REFUSED", `${path}: ${message}`, options);
    this.path = path;
  }
}

/**
 * A revision that runs outside a transaction failed (or its migrator died) half-way: the
 * database may hold part of it. The next run refuses until the state is resolved by hand
 * (see docs/migrations.md: finish or undo the revision's work, then `stamp`).
 */
export class MigrationFailedStateError extends AthanorError {
  readonly revision: string;
  constructor(revision: string, state: string, undoTarget: string) {
    super(
      "MIGRATION_FAILED_STATE",
      `revision ${revision} is recorded as "${state}": a non-transactional revision stopped half-way. Check the database, finish or undo its work by hand, ` +
        `then run "athanor stamp ${revision}" (its work is complete) or "athanor stamp ${undoTarget}" (its work is undone).`,
    );
    this.revision = revision;
  }
}

/** A revision's `up`/`down` threw something that is not an Athanor error; the original is the `cause`. */
export class MigrationFailedError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MIGRATION_FAILED", message, options);
  }
}

/**
 * Offline SQL (`--sql`) met an operation that needs the live database: on SQLite, a change
 * done by rebuilding the table (or a DROP COLUMN, which rebuilds when the column is used)
 * reads the table's current definition first.
 */
export class OfflineRebuildError extends AthanorError {
  readonly table: string;
  readonly operation: string;
  constructor(operation: string, table: string, dialect: string) {
    super(
      "OFFLINE_REBUILD",
      `op.${operation} on table "${table}" needs the live table on ${dialect} (a table rebuild reads its current definition), so it cannot be rendered offline; run the migration against the database instead`,
    );
    this.table = table;
    this.operation = operation;
  }
}

/** Autogenerate needs the database at the migrations' head (else it would repeat revisions not yet applied). */
export class DatabaseNotAtHeadError extends AthanorError {
  readonly heads: readonly string[];
  readonly scriptHeads: readonly string[];
  constructor(heads: readonly string[], scriptHeads: readonly string[]) {
    super(
      "DATABASE_NOT_AT_HEAD",
      `the database is at ${heads.join(", ") || "<base>"} but the migrations' head is ${scriptHeads.join(", ") || "<base>"}: run "athanor upgrade" before autogenerating`,
    );
    this.heads = Object.freeze([...heads]);
    this.scriptHeads = Object.freeze([...scriptHeads]);
  }
}

/**
 * Something a test sandbox (`athanor/testing`) cannot do faithfully inside its one
 * rolled-back transaction: a statement the database refuses inside a transaction block
 * (`CREATE INDEX CONCURRENTLY`, `VACUUM`), a migration lock, or a sandbox used after it closed.
 * The message names the escape hatch (truncate mode, a fresh database from the template).
 */
export class SandboxUnsupportedError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SANDBOX_UNSUPPORTED", message, options);
  }
}

/**
 * `paginateByKey()` was given an `after` cursor that none of its pages returned: made up,
 * truncated, or from a query with other keys. It comes from the client, so the Fastify plugin
 * answers it with 400.
 *
 * @example
 * ```ts
 * try {
 *   return await paginateByKey(query, { orderBy: [["id", "asc"]], limit: 50, after: request.query.after });
 * } catch (error) {
 *   if (error instanceof InvalidCursorError) return reply.code(400).send({ error: error.message });
 *   throw error;
 * }
 * ```
 */
export class InvalidCursorError extends AthanorError {
  constructor(message: string) {
    super("INVALID_CURSOR", message);
  }
}

/**
 * `engine.replicas.readYourWrites(fn, { after })` was given a position token that
 * `engine.replicas.position()` did not make: it usually comes from a client (a header or a
 * cookie), so the Fastify plugin answers it with 400.
 *
 * @example
 * ```ts
 * const after = request.headers["x-db-position"] as string | undefined;
 * return engine.replicas.readYourWrites(() => listAgents(), { after }); // InvalidReplicaPositionError on "abc!"
 * ```
 */
export class InvalidReplicaPositionError extends AthanorError {
  constructor(message: string) {
    super("INVALID_REPLICA_POSITION", message);
  }
}

/**
 * The reset route (`athanor/fastify`) did not run: other requests still held database
 * sessions when its wait ended, or another reset was running. Nothing was touched.
 */
export class ResetBusyError extends AthanorError {
  constructor(message: string) {
    super("RESET_BUSY", message);
  }
}

/** A request asked for `request.db` while the reset route was resetting the database (`athanor/fastify`). */
export class ResetInProgressError extends AthanorError {
  constructor(message = "the database is being reset (POST /admin/reset-database): no request session can open until it is done") {
    super("RESET_IN_PROGRESS", message);
  }
}

/**
 * Something Athanor would do is not safe behind a transaction pooler (PgBouncer with
 * `pool_mode = transaction`), where consecutive transactions of one client connection may run
 * on different server connections. Thrown by `createEngine` for options that rely on a server
 * connection's state (named prepared statements, settings sent at connection start,
 * `postgres.onConnect`), and for the error a transaction pooler answers a named statement it
 * sent to another server connection with ("prepared statement … does not exist" / "already
 * exists"). The message says what to set.
 *
 * @example
 * ```ts
 * createEngine("postgres://app@pgbouncer:6432/app?pooler=transaction", { prepareStatements: true });
 * // PoolerIncompatibleError: prepareStatements: true needs one server connection per client connection …
 * ```
 */
export class PoolerIncompatibleError extends AthanorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("POOLER_INCOMPATIBLE", message, options);
  }
}

/**
 * A revision that runs outside a transaction (`transactional: false`, or a `.sql` script with
 * its own `BEGIN`/`COMMIT`) was to run through a transaction pooler, where the migrator keeps
 * all its work in one transaction (the only place a lock and a connection are held behind the
 * pooler). Nothing ran. Migrate over a direct connection: `directUrl` in `athanor.config.ts`.
 */
export class MigrationNeedsDirectUrlError extends AthanorError {
  readonly revision: string;
  constructor(revision: string, path: string) {
    super(
      "MIGRATION_NEEDS_DIRECT_URL",
      `revision ${revision} (${path}) runs outside a transaction, which cannot be done through a transaction pooler (postgres.pooler: "transaction"): nothing was run. Set directUrl in athanor.config.ts to a URL that reaches PostgreSQL directly (not through PgBouncer) and migrate again`,
    );
    this.revision = revision;
  }
}

/**
 * The pools of every process sharing a server would open more connections than the budget
 * allows: `workers × (size + maxOverflow)` exceeds `share × max_connections − reserved`. The
 * message shows the arithmetic; `demand` and `available` hold its two sides.
 *
 * @example
 * ```ts
 * await checkConnectionBudget(engine, { workers: 8, share: 0.8 });
 * // ConnectionBudgetError: 8 workers × (10 + 10) = 160 connections > 0.8 × 100 max_connections − 3 reserved = 77
 * ```
 */
export class ConnectionBudgetError extends AthanorError {
  /** Connections the pools may open together. */
  readonly demand: number;
  /** Connections the budget grants them. */
  readonly available: number;
  constructor(message: string, demand: number, available: number) {
    super("CONNECTION_BUDGET_EXCEEDED", message);
    this.demand = demand;
    this.available = available;
  }
}
