/**
 * A value, or a promise of it. Checkouts and transaction control return a plain value when
 * they finished without waiting (SQLite's uncontended path, a clean PostgreSQL check-in), so
 * the session's hot path awaits, and allocates a promise, only when there is something to
 * wait for: with AsyncLocalStorage active, every promise and every await costs a hook call.
 */
export type MaybePromise<T> = T | Promise<T>;

/** True when `value` must be awaited. */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/**
 * One shared, already resolved promise, for steps that finished without waiting but must
 * return a promise: callers on the hot path compare with it to skip an await.
 */
export const SETTLED: Promise<void> = Promise.resolve();

/** `step` as the promise an API must return: itself, or {@link SETTLED} when it did not wait. */
export function settled(step: MaybePromise<void>): Promise<void> {
  return isPromise(step) ? step : SETTLED;
}
