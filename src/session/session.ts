import { Kysely, type ConnectionBuilder, type ControlledTransactionBuilder, type InsertObject, type KyselyProps, type TransactionBuilder } from "kysely";
import { NotSupportedError } from "../errors.js";
import type { BackendCapabilities } from "../backends/backend-capabilities.js";
import type { EngineParts } from "../engine/engine-parts.js";
import { insertMany, type InsertManyOptions, type InsertManyResult } from "./insert-many.js";
import type { NestedFrame, SessionHook } from "./nested-frame.js";
import type { SessionCore, SessionState } from "./session-core.js";
import { SessionQueryExecutor } from "./session-executor.js";

/** What every session of one factory shares: made once per factory, not per session. */
export interface SessionParts {
  readonly props: KyselyProps;
  /** The engine's compiler, adapter, plugins and `insertMany` pieces. */
  readonly engine: EngineParts;
  readonly capabilities: BackendCapabilities;
}

/**
 * A unit of work: a Kysely you can commit. Every Kysely query built from it runs in the
 * session's transaction, which begins lazily on the first statement (a session that never
 * queries never takes a connection) and ends with `commit()`, `rollback()` or `close()`.
 *
 * @example
 * ```ts
 * await using db = sessions.open();
 * const squad = await db.selectFrom("squads").selectAll().where("id", "=", id).forUpdate().executeTakeFirstOrThrow();
 * await db.updateTable("squads").set({ size: squad.size + 1 }).where("id", "=", id).execute();
 * db.afterCommit(() => notifyClients(squad.id));
 * await db.commit();
 * ```
 */
export class Session<DB> extends Kysely<DB> {
  readonly #core: SessionCore;
  readonly #frame: NestedFrame | undefined;
  readonly #parts: SessionParts;

  /** @internal Sessions are made by a session factory. */
  constructor(core: SessionCore, frame: NestedFrame | undefined, parts: SessionParts) {
    const { config, driver, dialect } = parts.props;
    super({
      config,
      driver,
      dialect,
      executor: new SessionQueryExecutor(
        parts.engine.queryCompiler,
        parts.engine.adapter,
        { provideConnection: (consumer) => core.provide(frame, consumer) },
        (compiledQuery) => core.execute(frame, compiledQuery),
        parts.engine.plugins,
        parts.engine.resultPlugins,
      ),
    });
    this.#core = core;
    this.#frame = frame;
    this.#parts = parts;
  }

  /** @internal The state behind a session, for its factory. */
  static coreOf(session: Session<any>): SessionCore {
    return session.#core;
  }

  /** `idle` (no transaction yet), `active`, `aborted` (a statement failed: roll back) or `closed`. */
  get state(): SessionState {
    return this.#core.state;
  }

  override get isTransaction(): true {
    return true;
  }

  /** Commits the transaction (if one began), returns the connection, then runs `afterCommit` hooks. The session stays usable. */
  commit(): Promise<void> {
    return this.#core.commit();
  }

  /** Rolls the transaction back (if one began), returns the connection, then runs `afterRollback` hooks. The session stays usable. */
  rollback(): Promise<void> {
    return this.#core.rollback();
  }

  /** Rolls back anything uncommitted and ends the session. Idempotent. */
  close(): Promise<void> {
    return this.#core.close();
  }

  /**
   * Runs `fn` inside a SAVEPOINT: if it throws, only its changes are rolled back and the
   * error propagates; the outer transaction goes on. Nestable.
   *
   * @example
   * ```ts
   * await db.nested(async (sp) => {
   *   await sp.insertInto("memberships").values(row).execute(); // may hit a unique violation
   * }).catch((error) => { if (!(error instanceof UniqueViolationError)) throw error; });
   * ```
   */
  nested<T>(fn: (session: Session<DB>) => Promise<T>): Promise<T> {
    return this.#core.nested(this.#frame, fn, (frame) => new Session<DB>(this.#core, frame, this.#parts));
  }

  /** Runs `hook` after the transaction commits (not if it rolls back). Hook errors are reported as engine `error` events. */
  afterCommit(hook: SessionHook): void {
    this.#core.afterCommit(this.#frame, hook);
  }

  /** Runs `hook` after the transaction (or the enclosing `nested()` block) rolls back. */
  afterRollback(hook: SessionHook): void {
    this.#core.afterRollback(this.#frame, hook);
  }

  /**
   * Inserts many rows in chunked multi-row INSERTs that stay within the dialect's
   * parameter limit, inside this session's transaction. On PostgreSQL, 1,000 rows or more
   * for a table of the engine's schema go as `COPY … FROM STDIN` data instead (not with
   * `chunkSize`): the same values stored, the same typed errors.
   *
   * @example
   * ```ts
   * const { inserted } = await db.insertMany("messages", rows);
   * ```
   */
  insertMany<T extends keyof DB & string>(table: T, rows: readonly InsertObject<DB, T>[], options?: InsertManyOptions): Promise<InsertManyResult> {
    const { capabilities, engine } = this.#parts;
    const target = { db: this, maxParameters: capabilities.maxParameters, copyFrom: capabilities.copyFrom, statements: engine.insertStatements, encoders: engine.encoders };
    return insertMany(target, table, rows as readonly Record<string, unknown>[], options);
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Not available: a session is already a transaction. Use `nested()` for a savepoint. */
  override transaction(): TransactionBuilder<DB> {
    throw new NotSupportedError("a session is already a transaction: use session.nested() for a savepoint, or sessions.run() for a new unit of work");
  }

  /** Not available: a session is already a transaction. */
  override startTransaction(): ControlledTransactionBuilder<DB> {
    throw new NotSupportedError("a session is already a transaction: use session.nested() for a savepoint, or sessions.open() for a new session");
  }

  /** Not available: a session already holds one connection. */
  override connection(): ConnectionBuilder<DB> {
    throw new NotSupportedError("a session already holds one connection; queries on it run on that connection");
  }

  /** Not available: close the session instead; the engine owns the pool. */
  override async destroy(): Promise<void> {
    throw new NotSupportedError("destroy() would close the engine's pool: call session.close() (and engine.dispose() at shutdown)");
  }
}
