import { isPromise, type MaybePromise } from "../pool/maybe-promise.js";
import type { Pool } from "../pool/pool.js";
import type { AthanorError } from "../errors.js";
import type { Instrumentation } from "./instrumentation.js";
import type { Telemetry } from "./telemetry.js";

/**
 * @internal A pool whose checkouts that have to wait (no idle connection at the call) are
 * reported as `checkout` spans; everything else passes straight through.
 */
export function tracedPool<C>(pool: Pool<C>, telemetry: Telemetry, instrumentation: Instrumentation): Pool<C> {
  const report = (startedAt: number, error: AthanorError | undefined): void => {
    // A tracer that throws must not fail the checkout it reports on.
    try {
      telemetry.checkout(startedAt, error);
    } catch (failure) {
      instrumentation.observerFailed(failure);
    }
  };
  return {
    acquire(): MaybePromise<C> {
      const waits = pool.status().idle === 0;
      const startedAt = performance.now();
      const acquired = pool.acquire();
      if (!waits || !isPromise(acquired)) return acquired;
      return acquired.then(
        (connection) => {
          report(startedAt, undefined);
          return connection;
        },
        (error: unknown) => {
          report(startedAt, error as AthanorError);
          throw error;
        },
      );
    },
    // Runs only when nothing has to wait: no checkout span to report.
    executeIfFree: pool.executeIfFree?.bind(pool),
    release: (connection) => pool.release(connection),
    destroy: (connection) => pool.destroy(connection),
    status: () => pool.status(),
    close: () => pool.close(),
  };
}
