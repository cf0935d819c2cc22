import { FactoryContext } from "./factory-context.js";
import type { KyselyProps } from "kysely";
import type { Engine } from "../engine/engine.js";
import { EngineDisposedError, NoCurrentSessionError, SessionJoinError } from "../errors.js";
import { retryDelayMillis, shouldRetry } from "./retry-policy.js";
import { Session, type SessionParts } from "./session.js";
import { SETTLED } from "../pool/maybe-promise.js";
import { SessionCore } from "./session-core.js";
import { resolveSessionOptions, type Propagation, type ResolvedSessionOptions, type SessionOptions } from "./session-options.js";

/**
 * Makes sessions for one engine: Athanor's `sessionmaker`. Create one per engine at
 * start-up and hand it to services and handlers (inject it; tests pass another factory).
 *
 * @example
 * ```ts
 * class AgentService {
 *   constructor(private readonly sessions: SessionFactory<DB> = defaultSessions) {}
 *   rename(id: string, name: string) {
 *     return this.sessions.run((db) => db.updateTable("agents").set({ name }).where("id", "=", id).execute());
 *   }
 * }
 * ```
 */
export interface SessionFactory<DB> {
  readonly engine: Engine<DB>;
  /** The options every session of this factory starts from. */
  readonly defaults: ResolvedSessionOptions;
  /** A new session under manual control: commit or roll back yourself, and close it (or `await using`). */
  open(options?: SessionOptions): Session<DB>;
  /**
   * Opens a session, runs `fn`, commits when it returns, rolls back when it throws, always
   * closes, and returns `fn`'s value. With `retry`, re-runs `fn` on serialization failure
   * or deadlock. Inside `fn`, `current()` returns the session.
   *
   * Inside another `run()` of this factory (or of one made from it by `withOptions`), `fn`
   * joins that session's transaction by default; `propagation: "nested"` runs it in a
   * savepoint, `"requiresNew"` in a session of its own (see {@link Propagation}). A joined or
   * nested run that names an isolation level other than the outer transaction's, or
   * `autoCommit: false`, is refused with `SessionJoinError`; its `retry` is ignored (only
   * the outermost run retries).
   *
   * @example
   * ```ts
   * await sessions.run(async (db) => {
   *   await db.insertInto("users").values(user).execute();
   *   await sessions.run((same) => same.insertInto("audit").values(entry).execute()); // same transaction
   * }); // both committed here, or neither
   * ```
   */
  run<T>(fn: (session: Session<DB>) => Promise<T>, options?: SessionOptions): Promise<T>;
  /** The session `run()` bound to the current async context; `NoCurrentSessionError` outside one. */
  current(): Session<DB>;
  /** Like `current()`, but `undefined` outside `run()`. */
  tryCurrent(): Session<DB> | undefined;
  /**
   * Turns `fn(session, ...args)` into `(...args)` that runs in a new session each call.
   *
   * @example
   * ```ts
   * const renameAgent = sessions.bind((db, id: string, name: string) => db.updateTable("agents").set({ name }).where("id", "=", id).execute());
   * await renameAgent(id, "scout");
   * ```
   */
  bind<A extends unknown[], T>(fn: (session: Session<DB>, ...args: A) => Promise<T>, options?: SessionOptions): (...args: A) => Promise<T>;
  /** A factory for the same engine with other defaults (e.g. read-only), sharing `current()`. */
  withOptions(options: SessionOptions): SessionFactory<DB>;
  /**
   * Runs `fn` with a session that a framework manages (a request's) as the current one:
   * `current()` inside returns it, and a `run()` inside joins it as it would join an outer
   * `run()`. `session` is called on first need only, so a request whose code never asks takes
   * nothing. Committing and closing stay with whoever opened the session.
   *
   * @example
   * ```ts
   * // in a framework's request wrapper (athanor/fastify does this for request.db)
   * return sessions.withCurrent(() => request.db, () => handler(request, reply));
   * ```
   */
  withCurrent<T>(session: () => Session<DB>, fn: () => T): T;
}

/** A framework's session bound to the async context, opened on first need (see `withCurrent`). */
class LazyCurrent {
  #core: SessionCore | undefined;
  readonly #open: () => Session<any>;
  constructor(open: () => Session<any>) {
    this.#open = open;
  }
  /** The session's core; opened now when `open` is true. */
  core(open: boolean): SessionCore | undefined {
    if (this.#core === undefined && open) this.#core = Session.coreOf(this.#open());
    return this.#core;
  }
}

type Current = SessionCore | LazyCurrent;

/** The current session's core; a framework's lazy one is opened only when `open` is true. */
function currentCore(current: Current | undefined, open: boolean): SessionCore | undefined {
  return current instanceof LazyCurrent ? current.core(open) : current;
}

/**
 * Creates the session factory for an engine.
 *
 * @example
 * ```ts
 * export const sessions = createSessionFactory(engine);
 * const agent = await sessions.run((db) => db.selectFrom("agents").selectAll().where("id", "=", id).executeTakeFirstOrThrow());
 * ```
 */
export function createSessionFactory<DB>(engine: Engine<DB>, defaults?: SessionOptions): SessionFactory<DB> {
  const { backend, internals } = engine;
  const props: KyselyProps = { config: { dialect: internals.dialect }, driver: internals.driver, dialect: internals.dialect, executor: engine.db.getExecutor() };
  const parts: SessionParts = { props, engine: internals.parts, capabilities: backend.capabilities };
  return new SessionFactoryImpl(engine, resolveSessionOptions(defaults, undefined, "session factory defaults"), new FactoryContext<Current>(), parts);
}

/**
 * A session factory and the ones `withOptions()` makes from it: the same engine, parts and
 * async-context storage, other defaults. Methods on a class, not closures per factory: a
 * test suite makes a factory per test (a sandbox each).
 */
/** The methods a factory binds to itself, so that they work detached from it. */
const DETACHABLE = ["open", "run", "current", "tryCurrent", "withCurrent", "bind", "withOptions"] as const;

class SessionFactoryImpl<DB> implements SessionFactory<DB> {
  readonly engine: Engine<DB>;
  readonly defaults: ResolvedSessionOptions;
  /** The session `run()` (or `withCurrent()`) bound to the async context, by its core (`core.session` is the session). */
  readonly #storage: FactoryContext<Current>;
  readonly #parts: SessionParts;

  constructor(engine: Engine<DB>, defaults: ResolvedSessionOptions, storage: FactoryContext<Current>, parts: SessionParts) {
    this.engine = engine;
    this.defaults = defaults;
    this.#storage = storage;
    this.#parts = parts;
    // `const { run } = sessions`, `app.decorate("run", sessions.run)`: as they did when they were closures.
    const self = this as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of DETACHABLE) self[name] = self[name]!.bind(this);
    Object.freeze(this);
  }

  open(options?: SessionOptions): Session<DB> {
    return this.#openCore(resolveSessionOptions(options, this.defaults)).session as Session<DB>;
  }

  run<T>(fn: (session: Session<DB>) => Promise<T>, options?: SessionOptions): Promise<T> {
    let resolved: ResolvedSessionOptions;
    try {
      resolved = options === undefined ? this.defaults : resolveSessionOptions(options, this.defaults);
    } catch (error) {
      return Promise.reject(error);
    }
    if (resolved.propagation !== "requiresNew") {
      let outer: SessionCore | undefined;
      try {
        outer = currentCore(this.#storage.get(), true);
      } catch (error) {
        return Promise.reject(error);
      }
      if (outer !== undefined && outer.state !== "closed") return this.#runInside(outer, fn, resolved);
    }
    return resolved.retry === undefined ? this.#runOnce(fn, resolved) : this.#runWithRetry(fn, resolved, resolved.retry);
  }

  current(): Session<DB> {
    const session = sessionOf<DB>(currentCore(this.#storage.get(), true));
    if (session === undefined) throw new NoCurrentSessionError();
    return session;
  }

  tryCurrent(): Session<DB> | undefined {
    return sessionOf<DB>(currentCore(this.#storage.get(), true));
  }

  withCurrent<T>(session: () => Session<DB>, fn: () => T): T {
    return this.#storage.run(new LazyCurrent(session), fn);
  }

  bind<A extends unknown[], T>(fn: (session: Session<DB>, ...args: A) => Promise<T>, options?: SessionOptions): (...args: A) => Promise<T> {
    return (...args) => this.run((session) => fn(session, ...args), options);
  }

  withOptions(options: SessionOptions): SessionFactory<DB> {
    return new SessionFactoryImpl(this.engine, resolveSessionOptions(options, this.defaults), this.#storage, this.#parts);
  }

  #openCore(options: ResolvedSessionOptions): SessionCore {
    const { engine } = this;
    if (engine.disposed) throw new EngineDisposedError();
    const { internals } = engine;
    const core = new SessionCore(
      readsFromReplica(engine, options) ? internals.readBackend! : engine.backend,
      internals.instrumentation,
      { isolationLevel: options.isolationLevel, accessMode: options.readOnly ? "read only" : undefined },
      currentCore(this.#storage.get(), false),
      internals.parts.completeError,
    );
    core.session = new Session<DB>(core, undefined, this.#parts);
    return core;
  }

  /** With tracing on, each transaction is a span, active while it runs so its statements are its children. */
  #runOnce<T>(fn: (session: Session<DB>) => Promise<T>, options: ResolvedSessionOptions): Promise<T> {
    const { telemetry } = this.engine.internals.instrumentation;
    if (telemetry === undefined) return this.#runSession(fn, options);
    return telemetry.inSpan("transaction", options.readOnly ? { "athanor.session.read_only": true } : {}, () => this.#runSession(fn, options));
  }

  async #runSession<T>(fn: (session: Session<DB>) => Promise<T>, options: ResolvedSessionOptions): Promise<T> {
    const core = this.#openCore(options);
    const session = core.session as Session<DB>;
    try {
      const result = await this.#storage.run(core, fn, session);
      if (options.autoCommit) {
        const committing = session.commit();
        if (committing !== SETTLED) await committing;
      }
      return result;
    } finally {
      // Usually already settled (nothing left after commit): awaited only when it has work.
      const closing = session.close();
      if (closing !== SETTLED) await closing;
    }
  }

  async #runWithRetry<T>(fn: (session: Session<DB>) => Promise<T>, options: ResolvedSessionOptions, retry: NonNullable<ResolvedSessionOptions["retry"]>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#runOnce(fn, options);
      } catch (error) {
        if (!shouldRetry(error, attempt, retry)) throw error;
        this.engine.internals.instrumentation.info("retry", `attempt ${attempt} of ${retry.maxAttempts} failed with ${(error as { code?: string }).code}; retrying`);
        await new Promise((resolve) => setTimeout(resolve, retryDelayMillis(attempt, retry)));
      }
    }
  }

  /** `run()` inside a `run()`: the callback joins the outer session's transaction, or runs in a savepoint of it. */
  #runInside<T>(outer: SessionCore, fn: (session: Session<DB>) => Promise<T>, options: ResolvedSessionOptions): Promise<T> {
    const conflict = joinConflict(outer, options);
    if (conflict !== undefined) return Promise.reject(conflict);
    const session = outer.session as Session<DB>;
    return options.propagation === "nested" ? session.nested(fn) : outer.join(() => fn(session));
  }
}

/**
 * A read-only session reads from a replica when the engine has them; a serializable one
 * stays on the primary (a standby refuses serializable transactions).
 */
function readsFromReplica(engine: Engine<any>, options: ResolvedSessionOptions): boolean {
  return options.readOnly && engine.internals.readBackend !== undefined && options.isolationLevel !== "serializable";
}

function sessionOf<DB>(core: SessionCore | undefined): Session<DB> | undefined {
  return core === undefined || core.state === "closed" ? undefined : (core.session as Session<DB>);
}

/**
 * Why a `run()` cannot join (or nest in) the outer session: it names an isolation level the
 * outer transaction does not have (joining would silently weaken or change it), or it wants
 * to commit by hand (`autoCommit: false`), which only the outermost run may. Read-only-ness is
 * inherited (a write in a read-only outer fails as any write there), and `retry` is left to
 * the outermost run.
 */
function joinConflict(outer: SessionCore, options: ResolvedSessionOptions): SessionJoinError | undefined {
  const propagation: Propagation = options.propagation;
  const outerLevel = outer.settings.isolationLevel;
  if (options.isolationLevel !== undefined && options.isolationLevel !== outerLevel) {
    return new SessionJoinError(
      `a run() with isolationLevel "${options.isolationLevel}" was called inside a run() whose transaction is ${outerLevel === undefined ? "at the server's default level" : `"${outerLevel}"`}: ` +
        `propagation "${propagation}" would run it in that transaction. Give the outer run() that level, or the inner one propagation "requiresNew"`,
      "isolationLevel",
    );
  }
  if (!options.autoCommit) {
    return new SessionJoinError(
      `a run() with autoCommit: false was called inside another run(): propagation "${propagation}" runs it in the outer transaction, which only the outermost run() commits. Use propagation "requiresNew" to commit by hand`,
      "autoCommit",
    );
  }
  return undefined;
}
