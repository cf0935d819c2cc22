/**
 * What the engine's `log` callback receives.
 *
 * @example
 * ```ts
 * createEngine(url, { log: (record) => pino[record.level]({ sql: record.sql, ms: record.durationMillis }, record.message) });
 * ```
 */
export interface LogRecord {
  readonly level: "debug" | "info" | "warn" | "error";
  /** The engine event the record comes from: `query`, `error`, `leak`, `connect`, `disconnect`. */
  readonly event: string;
  readonly message: string;
  readonly sql?: string | undefined;
  /** Only present with `logParameters: true`. */
  readonly parameters?: readonly unknown[] | undefined;
  readonly durationMillis?: number | undefined;
  readonly error?: Error | undefined;
}

/** A `log` callback. */
export type Logger = (record: LogRecord) => void;
