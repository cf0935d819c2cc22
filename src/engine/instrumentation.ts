import { EventEmitter } from "node:events";
import type { AthanorError } from "../errors.js";
import type { EngineEventName, EngineEvents, EngineListener } from "./engine-events.js";
import type { Logger } from "./log-record.js";

/**
 * The engine's event bus and log sink, shared by its pool and connections. Hot paths
 * check `tracingQueries` first so an engine nobody listens to pays nothing per query.
 */
export class Instrumentation {
  readonly #emitter = new EventEmitter();
  readonly #log: Logger | undefined;
  readonly #logParameters: boolean;
  /** True when a `query` listener or a logger is present. */
  tracingQueries: boolean;

  constructor(log: Logger | undefined, logParameters: boolean) {
    this.#log = log;
    this.#logParameters = logParameters;
    this.tracingQueries = log !== undefined;
    // An `error` event with no listener must never crash the process.
    this.#emitter.on("error", () => {});
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
    this.#emitter.emit(name, event);
  }

  query(sql: string, parameters: readonly unknown[], startedAt: number, rowCount: number | undefined, error?: AthanorError): void {
    const durationMillis = performance.now() - startedAt;
    const shown = this.#logParameters ? parameters : undefined;
    this.emit("query", { sql, parameters: shown, durationMillis, rowCount, error });
    if (this.#log !== undefined) {
      this.#log({
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

  error(error: AthanorError, sql: string | undefined): void {
    this.emit("error", { error, sql });
    this.#log?.({ level: "error", event: "error", message: error.message, sql, error });
  }

  warn(event: string, message: string): void {
    this.#log?.({ level: "warn", event, message });
  }

  info(event: string, message: string): void {
    this.#log?.({ level: "info", event, message });
  }

  #refresh(): void {
    this.tracingQueries = this.#log !== undefined || this.#emitter.listenerCount("query") > 0;
  }
}
