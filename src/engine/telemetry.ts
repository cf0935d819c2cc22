import type { AthanorError } from "../errors.js";
import type { PoolStatus } from "../pool/pool-status.js";
import type { DatabaseUrl, DialectName } from "./database-url.js";
import { loadOpenTelemetry } from "./load-open-telemetry.js";
import type { OpenTelemetryApi, TelemetrySpan, TelemetryAttributes, TelemetryHistogram, TelemetryMeter, TelemetryObservable, TelemetryObservableResult, TelemetryTracer } from "./open-telemetry-api.js";
import type { MetricsOptions, TracingOptions } from "./telemetry-options.js";

const SPAN_KIND_CLIENT = 2;
const SPAN_KIND_INTERNAL = 0;
const STATUS_ERROR = 2;
/** `db.system` per dialect, as the semantic conventions name them. */
const DB_SYSTEM: Record<DialectName, string> = { postgres: "postgresql", sqlite: "sqlite" };
const OPERATION = /^\s*(?:\/\*[\s\S]*?\*\/\s*)?([A-Za-z]+)/;

/**
 * An engine's OpenTelemetry instruments, made only when `tracing` or `metrics` is on.
 * Statement spans are made when the statement has finished, with its measured start time, and
 * parented on the active context: the hot path keeps its one `performance.now()` pair and does
 * nothing else when telemetry is off.
 */
export class Telemetry {
  readonly #api: OpenTelemetryApi;
  readonly #tracer: TelemetryTracer | undefined;
  readonly #includeQueryText: boolean;
  readonly #base: TelemetryAttributes;
  readonly #namespace: string;
  readonly #meter: TelemetryMeter | undefined;
  readonly #duration: TelemetryHistogram | undefined;
  readonly #observers: Array<[TelemetryObservable, (result: TelemetryObservableResult) => void]> = [];
  /** Per statement text: its span name and attributes, made once (statements are few and repeat). */
  readonly #statements = new Map<string, Statement>();

  static create(url: DatabaseUrl, tracing: boolean | TracingOptions, metrics: boolean | MetricsOptions): Telemetry | undefined {
    if (tracing === false && metrics === false) return undefined;
    const api = loadOpenTelemetry(tracing === false ? "metrics" : "tracing");
    const tracer = tracing === false ? undefined : (tracing === true ? undefined : tracing.tracer) ?? api.trace.getTracer("athanor");
    const meter = metrics === false ? undefined : (metrics === true ? undefined : metrics.meter) ?? api.metrics.getMeter("athanor");
    return new Telemetry(api, url, tracer, tracing !== false && tracing !== true ? tracing.includeQueryText ?? true : true, meter);
  }

  private constructor(api: OpenTelemetryApi, url: DatabaseUrl, tracer: TelemetryTracer | undefined, includeQueryText: boolean, meter: TelemetryMeter | undefined) {
    this.#api = api;
    this.#tracer = tracer;
    this.#includeQueryText = includeQueryText;
    this.#namespace = url.database;
    const system = DB_SYSTEM[url.dialect];
    this.#base = { "db.system": system, "db.namespace": url.database };
    if (url.host !== undefined) this.#base["server.address"] = url.host;
    if (url.port !== undefined) this.#base["server.port"] = url.port;
    this.#meter = meter;
    this.#duration = meter?.createHistogram("db.client.operation.duration", {
      description: "Duration of database client operations",
      unit: "s",
      advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] },
    });
  }

  /** A finished statement: a client span (child of the active one) and a duration measurement. */
  query(sql: string, startedAt: number, endedAt: number, rowCount: number | undefined, error: AthanorError | undefined): void {
    const statement = this.#statement(sql);
    if (this.#tracer !== undefined) {
      const span = this.#tracer.startSpan(statement.name, { kind: SPAN_KIND_CLIENT, attributes: statement.span, startTime: epoch(startedAt) }, this.#api.context.active());
      if (span.isRecording()) {
        if (rowCount !== undefined) span.setAttribute("db.response.returned_rows", rowCount);
        if (error !== undefined) failed(span, error);
      }
      span.end(epoch(endedAt));
    }
    this.#duration?.record((endedAt - startedAt) / 1000, error === undefined ? statement.metric : { ...statement.metric, "error.type": error.code });
  }

  /** A caller that had to wait for a connection: a span from the call to the checkout (or its failure). */
  checkout(startedAt: number, error: AthanorError | undefined): void {
    if (this.#tracer === undefined) return;
    const span = this.#tracer.startSpan("checkout", { kind: SPAN_KIND_INTERNAL, attributes: { ...this.#base }, startTime: epoch(startedAt) }, this.#api.context.active());
    if (error !== undefined) failed(span, error);
    span.end(epoch(performance.now()));
  }

  /**
   * Runs `work` inside a span that is the active one meanwhile, so the statements it runs are
   * its children. `failure` reads an error out of a result that reports one instead of throwing.
   */
  inSpan<T>(name: string, attributes: TelemetryAttributes, work: () => Promise<T>, failure?: (result: T) => AthanorError | undefined): Promise<T> {
    if (this.#tracer === undefined) return work();
    const parent = this.#api.context.active();
    let span: TelemetrySpan;
    try {
      span = this.#tracer.startSpan(name, { kind: SPAN_KIND_INTERNAL, attributes: { ...this.#base, ...attributes } }, parent);
    } catch {
      // A tracer that throws must not fail the work it traces (its statements report the failure).
      return work();
    }
    return this.#api.context.with(this.#api.trace.setSpan(parent, span), async () => {
      try {
        const result = await work();
        const error = failure?.(result);
        if (error !== undefined) failed(span, error);
        return result;
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** Observes the pool's counters whenever the meter collects. */
  observePool(status: () => PoolStatus, maxConnections: number): void {
    const meter = this.#meter;
    if (meter === undefined) return;
    const pool = { "db.client.connection.pool.name": this.#poolName() };
    this.#observe(meter.createObservableUpDownCounter("db.client.connection.count", { description: "Connections open, by state (used: checked out)", unit: "{connection}" }), (result) => {
      const { checkedOut, idle } = status();
      result.observe(checkedOut, { ...pool, "db.client.connection.state": "used" });
      result.observe(idle, { ...pool, "db.client.connection.state": "idle" });
    });
    this.#observe(meter.createObservableUpDownCounter("db.client.connection.pending_requests", { description: "Callers waiting for a connection", unit: "{request}" }), (result) => {
      result.observe(status().waiting, pool);
    });
    this.#observe(meter.createObservableUpDownCounter("db.client.connection.max", { description: "Connections the pool may open (size + maxOverflow)", unit: "{connection}" }), (result) => {
      result.observe(maxConnections, pool);
    });
    this.#observe(meter.createObservableCounter("db.client.connection.timeouts", { description: "Checkouts that failed with PoolTimeoutError", unit: "{timeout}" }), (result) => {
      result.observe(status().timeouts, pool);
    });
  }

  /** Stops observing (the engine was disposed), so a disposed engine is not kept alive by its meter. */
  close(): void {
    for (const [instrument, callback] of this.#observers.splice(0)) instrument.removeCallback(callback);
  }

  #observe(instrument: TelemetryObservable, callback: (result: TelemetryObservableResult) => void): void {
    instrument.addCallback(callback);
    this.#observers.push([instrument, callback]);
  }

  #poolName(): string {
    const server = this.#base["server.address"] === undefined ? "" : `${this.#base["server.address"]}:${this.#base["server.port"] ?? ""}/`;
    return `${server}${this.#namespace}`;
  }

  #statement(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      const operation = OPERATION.exec(sql)?.[1]?.toUpperCase() ?? "UNKNOWN";
      const span: TelemetryAttributes = { ...this.#base, "db.operation.name": operation };
      if (this.#includeQueryText) span["db.query.text"] = sql;
      const metric: TelemetryAttributes = { "db.system": this.#base["db.system"], "db.namespace": this.#namespace, "db.operation.name": operation };
      statement = { name: `${operation} ${this.#namespace}`, span: Object.freeze(span), metric: Object.freeze(metric) };
      // Bounded: generated statements (IN lists of every length) could grow it without end.
      if (this.#statements.size >= 1_000) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

interface Statement {
  readonly name: string;
  readonly span: TelemetryAttributes;
  readonly metric: TelemetryAttributes;
}

/**
 * A `performance.now()` reading as `[seconds, nanoseconds]` since the epoch: the form the SDK
 * takes without converting (a number costs it a clock read and a conversion per span).
 */
function epoch(millis: number): [number, number] {
  const total = performance.timeOrigin + millis;
  const seconds = Math.floor(total / 1000);
  return [seconds, Math.round((total - seconds * 1000) * 1e6)];
}

function failed(span: { setAttribute(key: string, value: string): unknown; setStatus(status: { code: number; message?: string }): unknown }, error: unknown): void {
  const code = (error as { code?: unknown }).code;
  span.setAttribute("error.type", typeof code === "string" ? code : error instanceof Error ? error.name : "unknown");
  span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : String(error) });
}
