import { EventEmitter } from "node:events";
import type { AthanorError } from "../errors.js";
import type { EngineEventName, EngineEvents, EngineListener } from "./engine-events.js";
import type { Logger, LogRecord } from "./log-record.js";

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
  /** True when a `query` listener or a logger is present. */
  tracingQueries: boolean;
  #connectionIds = 0;

  constructor(log: Logger | undefined, logParameters: boolean) {
    this.#log = log;
    this.#logParameters = logParameters;
    this.tracingQueries = log !== undefined;
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
        this.#observerFailed(error);
      }
    }
  }

  query(sql: string, parameters: readonly unknown[], startedAt: number, rowCount: number | undefined, error?: AthanorError): void {
    const durationMillis = performance.now() - startedAt;
    const shown = this.#logParameters ? parameters : undefined;
    this.emit("query", { sql, parameters: shown, durationMillis, rowCount, error });
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
      this.#observerFailed(error);
    }
  }

  #observerFailed(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    const reason = error instanceof Error ? error.message : String(error);
    process.emitWarning(`an Athanor log callback or event listener threw (${reason}); such failures are ignored`, { code: "ATHANOR_OBSERVER_FAILED" });
  }

  #refresh(): void {
    this.tracingQueries = this.#log !== undefined || this.#emitter.listenerCount("query") > 0;
  }
}
