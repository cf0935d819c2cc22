/**
 * Pool settings, the same on every backend (SQLite ignores what does not apply to an
 * embedded database: `prePing`, `prePingTimeoutMillis`, `recycleMillis`, `maxOverflow`).
 *
 * @example
 * ```ts
 * createEngine(url, {
 *   pool: { size: 10, maxOverflow: 20, prePing: true, recycleMillis: 300_000, acquireTimeoutMillis: 30_000 },
 * });
 * ```
 */
export interface PoolOptions {
  /** Steady number of connections kept open. PostgreSQL default 10; SQLite: reader connections, default 4. */
  readonly size?: number;
  /** Extra connections opened under burst load above `size`, closed again once idle. Default 10. */
  readonly maxOverflow?: number;
  /** How long an overflow connection may sit idle before it is closed. Default 10 000. */
  readonly overflowIdleMillis?: number;
  /** Validate a connection with a round trip before handing it out; dead ones are replaced transparently. Default false. */
  readonly prePing?: boolean;
  /**
   * How long a pre-ping may wait for its answer. A connection whose peer vanished without a
   * reset (a NAT or firewall that dropped it, a server host that froze) never answers: after
   * this long it is destroyed and another connection is handed out. Bounded by what is left of
   * `acquireTimeoutMillis`. Default 2000.
   *
   * @example
   * ```ts
   * createEngine(url, { pool: { prePing: true, prePingTimeoutMillis: 1_000 } });
   * ```
   */
  readonly prePingTimeoutMillis?: number;
  /** Close connections older than this at their next checkout or return. 0 = never (default). */
  readonly recycleMillis?: number;
  /** How long a checkout may wait before `PoolTimeoutError`. Default 30 000. */
  readonly acquireTimeoutMillis?: number;
  /** Report (event `leak`, log level warn) connections checked out longer than this, with the stack that took them. 0 = off (default). */
  readonly leakDetectionMillis?: number;
  /** How long `engine.dispose()` waits for checked-out connections to come back before closing them under their holders. Default 5000. */
  readonly disposeGraceMillis?: number;
}

/** Pool settings after validation and defaults. */
export type ResolvedPoolOptions = Required<PoolOptions>;
