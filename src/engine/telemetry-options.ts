import type { TelemetryMeter, TelemetryTracer } from "./open-telemetry-api.js";

/**
 * The `tracing` engine option: OpenTelemetry spans for statements, sessions, pool waits and
 * migrations, following the semantic conventions for database client spans. Needs
 * `@opentelemetry/api` (an optional peer); spans go wherever the application's SDK sends them.
 *
 * @example
 * ```ts
 * createEngine(url, { tracing: true });                                  // the global tracer provider
 * createEngine(url, { tracing: { tracer: trace.getTracer("billing"), includeQueryText: false } });
 * ```
 */
export interface TracingOptions {
  /** The tracer to use. Default: `trace.getTracer("athanor")` from the global provider. */
  readonly tracer?: TelemetryTracer;
  /**
   * Put the statement in `db.query.text`. Its parameter values never appear (statements are
   * sent with placeholders); turn this off when even the statements' shape is sensitive. Default true.
   */
  readonly includeQueryText?: boolean;
}

/**
 * The `metrics` engine option: the pool's connections, waiting callers and acquire timeouts as
 * observable instruments, and statement durations as a histogram, named after the OpenTelemetry
 * `db.client.*` conventions. Needs `@opentelemetry/api`.
 *
 * @example
 * ```ts
 * createEngine(url, { metrics: true });                                  // the global meter provider
 * createEngine(url, { metrics: { meter: metrics.getMeter("billing") } });
 * ```
 */
export interface MetricsOptions {
  /** The meter to use. Default: `metrics.getMeter("athanor")` from the global provider. */
  readonly meter?: TelemetryMeter;
}
