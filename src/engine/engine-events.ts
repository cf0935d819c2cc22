import type { AthanorError } from "../errors.js";

/** Why a connection was closed. */
export type DisconnectReason = "recycle" | "overflow" | "pre-ping" | "dirty" | "error" | "dispose";

/**
 * Typed engine events, subscribed with `engine.on(name, listener)`.
 *
 * @example
 * ```ts
 * engine.on("query", ({ sql, durationMillis }) => histogram.observe(durationMillis));
 * engine.on("leak", ({ ageMillis, stack }) => logger.warn({ ageMillis, stack }, "connection leak"));
 * ```
 */
export interface EngineEvents {
  /** A new connection was opened. */
  connect: { readonly connectionId: number };
  /** A connection was closed. */
  disconnect: { readonly connectionId: number; readonly reason: DisconnectReason };
  /** A connection was checked out of the pool. */
  checkout: { readonly connectionId: number };
  /** A connection was returned to the pool. */
  checkin: { readonly connectionId: number };
  /** A statement finished (successfully or not). `parameters` only with `logParameters: true`. */
  query: {
    readonly sql: string;
    readonly parameters: readonly unknown[] | undefined;
    readonly durationMillis: number;
    readonly rowCount: number | undefined;
    readonly error: AthanorError | undefined;
  };
  /**
   * A statement took at least `slowQueryMillis` (engine option). Never carries parameter values.
   *
   * @example
   * ```ts
   * engine.on("slowQuery", ({ sql, durationMillis }) => logger.warn({ sql, durationMillis }, "slow query"));
   * ```
   */
  slowQuery: {
    readonly sql: string;
    readonly durationMillis: number;
    readonly thresholdMillis: number;
    readonly rowCount: number | undefined;
    readonly error: AthanorError | undefined;
  };
  /** A statement or connection failed. */
  error: { readonly error: AthanorError; readonly sql: string | undefined };
  /** A connection has been checked out longer than `leakDetectionMillis`. */
  leak: { readonly ageMillis: number; readonly stack: string };
  /**
   * A read that could go to a replica went to the primary: no replica was in rotation
   * (`unavailable`), or none had yet replayed this context's writes (`readYourWrites`).
   */
  replicaFallback: { readonly reason: "unavailable" | "readYourWrites" };
  /** A replica left rotation (unreachable, lagging, not a standby) or came back; `reason` is `null` when it came back. */
  replicaState: { readonly server: string; readonly inRotation: boolean; readonly reason: string | null; readonly lagMillis: number | null };
}

/** Names of {@link EngineEvents}. */
export type EngineEventName = keyof EngineEvents;

/** A listener for event `E`. */
export type EngineListener<E extends EngineEventName> = (event: EngineEvents[E]) => void;
