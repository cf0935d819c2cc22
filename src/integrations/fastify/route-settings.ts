import type { IsolationLevel } from "kysely";
import { validateOptions, type OptionSpec } from "../../engine/option-spec.js";
import { ConfigurationError } from "../../errors.js";
import type { SessionFactory } from "../../session/session-factory.js";
import { resolveSessionOptions, type RetryOptions } from "../../session/session-options.js";
import type { SessionTracker } from "./session-tracker.js";

/**
 * How a route uses the database, in its `config.athanor`.
 *
 * @example
 * ```ts
 * app.get("/reports/:id", { config: { athanor: { readOnly: true } } }, (request) => loadReport(request.db, request.params.id));
 * app.post("/transfers", { config: { athanor: { isolationLevel: "serializable", retry: true } } }, (request) => transfer(request.db, request.body));
 * app.get("/export.csv", { config: { athanor: { transaction: false } } }, (request, reply) => reply.send(csvStream(request.server.athanor.db)));
 * ```
 */
export interface AthanorRouteConfig {
  /** The request's transaction is read-only (PostgreSQL `READ ONLY`; on SQLite a reader beside the writer). */
  readonly readOnly?: boolean;
  /** Isolation level of the request's transaction (PostgreSQL; SQLite is always serializable). */
  readonly isolationLevel?: IsolationLevel;
  /**
   * `false`: the route gets no request session, and `request.db` refuses to open one. Query
   * `request.server.athanor.db` instead: each statement autocommits on a connection of its
   * own, so a long streaming read holds no transaction and no connection between pages.
   */
  readonly transaction?: boolean;
  /**
   * Declares the handler retry-safe (it has no effect outside the database, and returns its
   * payload rather than sending it): on a serialization failure or deadlock, in a statement or
   * at COMMIT, the transaction is rolled back and the handler runs again with a new session,
   * before anything is sent. `true` for the defaults (3 attempts).
   */
  readonly retry?: boolean | RetryOptions;
}

/** A route's settings, resolved once when the route is declared. */
export interface RouteSettings {
  /** `GET /agents/:id`, for messages. */
  readonly label: string;
  /** Where the route's sessions come from; undefined on routes without a request session. */
  readonly sessions: SessionFactory<any> | undefined;
  /** Why `request.db` refuses on this route, when it has no request session. */
  readonly noSession: string | undefined;
  /** The route's retry policy, when it declared itself retry-safe. */
  readonly retry: Required<RetryOptions> | undefined;
  readonly tracker: SessionTracker;
}

/** What every route of one plugin starts from. */
export interface RouteBase {
  readonly sessions: SessionFactory<any>;
  readonly tracker: SessionTracker;
  /** Factories with route options, shared by routes that ask for the same ones. */
  readonly variants: Map<string, SessionFactory<any>>;
}

const SPEC: OptionSpec = {
  readOnly: { kind: "boolean" },
  isolationLevel: { kind: "any", describe: "an isolation level", test: () => true },
  transaction: { kind: "boolean" },
  retry: { kind: "any", describe: "true, false or { maxAttempts, baseDelayMillis, maxDelayMillis }", test: () => true },
};

/** Validates a route's `config.athanor` (unknown keys rejected by name) and resolves its settings. */
export function resolveRouteSettings(config: unknown, label: string, base: RouteBase): RouteSettings {
  const path = `route ${label}: config.athanor`;
  const given = validateOptions<AthanorRouteConfig>(config, SPEC, path);
  if (given.transaction === false) {
    const extra = (["readOnly", "isolationLevel", "retry"] as const).filter((key) => given[key] !== undefined);
    if (extra.length > 0) throw new ConfigurationError(`${path}: ${extra.join(", ")} cannot apply with transaction: false (the route has no transaction)`);
    const noSession = `the route has config.athanor.transaction = false, so it has no request session; query request.server.athanor.db instead (each statement autocommits)`;
    return Object.freeze({ label, sessions: undefined, noSession, retry: undefined, tracker: base.tracker });
  }
  const { readOnly, isolationLevel, retry } = given;
  const resolved = resolveSessionOptions({ readOnly, isolationLevel, retry }, undefined, path);
  let sessions = base.sessions;
  if (readOnly !== undefined || isolationLevel !== undefined) {
    const key = `${readOnly}|${isolationLevel}`;
    sessions = base.variants.get(key) ?? base.sessions.withOptions({ readOnly, isolationLevel });
    base.variants.set(key, sessions);
  }
  return Object.freeze({ label, sessions, noSession: undefined, retry: resolved.retry, tracker: base.tracker });
}
