import { EventEmitter } from "node:events";
import type { AthanorError } from "../errors.js";
import type { EngineEventName, EngineEvents, EngineListener } from "./engine-events.js";
import type { Logger, LogRecord } from "./log-record.js";
import type { Telemetry } from "./telemetry.js";

/**
 * The engine's event bus and log sink, shared by its pool and connections. Hot paths
 * check `tracingQueries` first so an engine nobody listens to pays nothing per query.
 * A throwing listener or log callback never reaches the statement or pool that reported:
 * it is ignored, and the first such failure is reported once as a process warning.
 */
export class Instrumentation {
  readonly #emitter = new EventEmitter();
  readonly #log: Logger | undefined;
  readonly #logParameters: boolean;
  #warned = false;
  #queryListeners = false;
  /** True when a `query` listener, a logger, telemetry or a slow-query threshold is present. */
  tracingQueries: boolean;
  #connectionIds = 0;
  /** OpenTelemetry instruments, when the `tracing` or `metrics` option is on. */
  readonly telemetry: Telemetry | undefined;
  readonly #slowQueryMillis: number;

  constructor(log: Logger | undefined, logParameters: boolean, telemetry?: Telemetry, slowQueryMillis = 0) {
    this.#log = log;
    this.#logParameters = logParameters;
    this.telemetry = telemetry;
    this.#slowQueryMillis = slowQueryMillis;
    this.tracingQueries = log !== undefined || telemetry !== undefined || slowQueryMillis > 0;
  }

  /** The next connection id: one sequence per engine, so the pools of a primary and its replicas never give two connections the same id. */
  nextConnectionId(): number {
    return ++this.#connectionIds;
  }

  on<E extends EngineEventName>(name: E, listener: EngineListener<E>): void {
    this.#emitter.on(name, listener as (event: unknown) => void);
    this.#refresh();
  }

  off<E extends EngineEventName>(name: E, listener: EngineListener<E>): void {
    this.#emitter.off(name, listener as (event: unknown) => void);
    this.#refresh();
  }

  emit<E extends EngineEventName>(name: E, event: EngineEvents[E]): void {
    // Called listener by listener rather than through EventEmitter.emit: a throw there would
    // skip the remaining listeners and surface inside a query, a checkout or a dispose.
    for (const listener of this.#emitter.listeners(name)) {
      try {
        (listener as (event: EngineEvents[E]) => void)(event);
      } catch (error) {
        this.observerFailed(error);
      }
    }
  }

  query(sql: string, parameters: readonly unknown[], startedAt: number, rowCount: number | undefined, error?: AthanorError): void {
    const endedAt = performance.now();
    const durationMillis = endedAt - startedAt;
    const shown = this.#logParameters ? parameters : undefined;
    if (this.#queryListeners) this.emit("query", { sql, parameters: shown, durationMillis, rowCount, error });
    if (this.telemetry !== undefined) {
      // A tracer or meter that throws must not fail the statement it reports on.
      try {
        this.telemetry.query(sql, startedAt, endedAt, rowCount, error);
      } catch (failure) {
        this.observerFailed(failure);
      }
    }
    if (this.#slowQueryMillis > 0 && durationMillis >= this.#slowQueryMillis) this.#slowQuery(sql, durationMillis, rowCount, error);
    if (this.#log !== undefined) {
      this.#write({
        level: error === undefined ? "debug" : "error",
        event: "query",
        message: error === undefined ? `${durationMillis.toFixed(2)} ms ${sql}` : `${error.code} after ${durationMillis.toFixed(2)} ms: ${error.message}`,
        sql,
        parameters: shown,
        durationMillis,
        error,
      });
    }
  }

  /** Stops what outlives the engine otherwise (the meter's callbacks). */
  close(): void {
    this.telemetry?.close();
  }

  #slowQuery(sql: string, durationMillis: number, rowCount: number | undefined, error: AthanorError | undefined): void {
    // Never the parameters, whatever logParameters says: a slow-query report is meant to be kept and shared.
    this.emit("slowQuery", { sql, durationMillis, rowCount, error, thresholdMillis: this.#slowQueryMillis });
    this.#write({ level: "warn", event: "slowQuery", message: `slow query (${durationMillis.toFixed(0)} ms ≥ ${this.#slowQueryMillis} ms): ${sql}`, sql, durationMillis, error });
  }

  /** Emits an `error` event and logs it, unless it is a statement's failure (`sql` given), which `query()` has logged. */
  error(error: AthanorError, sql: string | undefined): void {
    this.emit("error", { error, sql });
    if (sql === undefined) this.#write({ level: "error", event: "error", message: `${error.code}: ${error.message}`, error });
  }

  warn(event: string, message: string): void {
    this.#write({ level: "warn", event, message });
  }

  info(event: string, message: string): void {
    this.#write({ level: "info", event, message });
  }

  #write(record: LogRecord): void {
    if (this.#log === undefined) return;
    try {
      this.#log(record);
    } catch (error) {
      this.observerFailed(error);
    }
  }

  /** Reports a throwing observer (listener, log callback, tracer) once as a process warning; the work it observed goes on. */
  observerFailed(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    const reason = error instanceof Error ? error.message : String(error);
    process.emitWarning(`an Athanor log callback, event listener or OpenTelemetry tracer threw (${reason}); such failures are ignored`, { code: "ATHANOR_OBSERVER_FAILED" });
  }

  #refresh(): void {
    this.#queryListeners = this.#emitter.listenerCount("query") > 0;
    this.tracingQueries = this.#log !== undefined || this.#queryListeners || this.telemetry !== undefined || this.#slowQueryMillis > 0;
  }
}
