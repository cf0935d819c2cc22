import { AthanorError } from "../errors.js";
import type { RetryOptions } from "./session-options.js";

/**
 * True when a failed attempt may be re-run: the error is retryable (serialization failure,
 * deadlock) and attempts remain. A commit with an unknown outcome is never retryable.
 */
export function shouldRetry(error: unknown, attempt: number, retry: Required<RetryOptions>): boolean {
  return error instanceof AthanorError && error.retryable && attempt < retry.maxAttempts;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base · 2^(attempt-1))]. */
export function retryDelayMillis(attempt: number, retry: Required<RetryOptions>): number {
  const ceiling = Math.min(retry.maxDelayMillis, retry.baseDelayMillis * 2 ** (attempt - 1));
  return Math.random() * ceiling;
}
