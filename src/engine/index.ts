export { createEngine } from "./create-engine.js";
export type { Engine } from "./engine.js";
export { DatabaseUrl, parseDatabaseUrl, type ChannelBinding, type DialectName, type SslMode, type TargetSessionAttrs } from "./database-url.js";
export type { EngineOptions, ResolvedEngineOptions, SqliteOptions, PostgresOptions, SqliteConnectionHandle, PostgresClientHandle, Pooler } from "./engine-options.js";
export type { EngineEvents, EngineEventName, EngineListener, DisconnectReason } from "./engine-events.js";
export type { LogRecord, Logger } from "./log-record.js";
export { checkConnectionBudget } from "./check-connection-budget.js";
export type { TracingOptions, MetricsOptions } from "./telemetry-options.js";
export type { TelemetryTracer, TelemetryMeter, TelemetrySpan, TelemetryTime, TelemetryAttributes, TelemetryHistogram, TelemetryObservable, TelemetryObservableResult } from "./open-telemetry-api.js";
