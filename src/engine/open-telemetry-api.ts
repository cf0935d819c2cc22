/**
 * The parts of `@opentelemetry/api` Athanor uses, typed structurally so the package stays an
 * optional peer: nothing here imports it, and a user's own `Tracer` or `Meter` fits.
 */

/** Attribute values as OpenTelemetry takes them. */
export type TelemetryAttributes = Record<string, string | number | boolean | undefined>;

/** A time as OpenTelemetry takes it: epoch milliseconds, or `[seconds, nanoseconds]` since the epoch. */
export type TelemetryTime = number | [number, number];

/** An OpenTelemetry `Span` (the methods Athanor calls). */
export interface TelemetrySpan {
  isRecording(): boolean;
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: TelemetryTime): void;
}

/** An OpenTelemetry `Tracer`, e.g. `trace.getTracer("my-service")`. */
export interface TelemetryTracer {
  startSpan(name: string, options?: { kind?: number; attributes?: TelemetryAttributes; startTime?: TelemetryTime }, context?: unknown): TelemetrySpan;
}

/** What an observable instrument's callback is handed. */
export interface TelemetryObservableResult {
  observe(value: number, attributes?: TelemetryAttributes): void;
}

/** An OpenTelemetry observable instrument. */
export interface TelemetryObservable {
  addCallback(callback: (result: TelemetryObservableResult) => void): void;
  removeCallback(callback: (result: TelemetryObservableResult) => void): void;
}

/** An OpenTelemetry `Histogram`. */
export interface TelemetryHistogram {
  record(value: number, attributes?: TelemetryAttributes): void;
}

/** An OpenTelemetry `Meter`, e.g. `metrics.getMeter("my-service")`. */
export interface TelemetryMeter {
  createObservableUpDownCounter(name: string, options?: { description?: string; unit?: string }): TelemetryObservable;
  createObservableCounter(name: string, options?: { description?: string; unit?: string }): TelemetryObservable;
  createHistogram(name: string, options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } }): TelemetryHistogram;
}

/** The module `@opentelemetry/api`, as far as Athanor uses it. */
export interface OpenTelemetryApi {
  readonly trace: {
    getTracer(name: string, version?: string): TelemetryTracer;
    setSpan(context: unknown, span: TelemetrySpan): unknown;
  };
  readonly metrics: { getMeter(name: string, version?: string): TelemetryMeter };
  readonly context: {
    active(): unknown;
    with<T>(context: unknown, fn: () => T): T;
  };
}
