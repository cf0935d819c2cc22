import type { Kysely } from "kysely";
import type { Backend } from "../../backends/backend.js";
import type { EngineReplicas } from "./engine-replicas.js";
import { ReadPool } from "./read-pool.js";
import { currentPositionToken, parsePosition, runReadingYourWrites } from "./read-your-writes.js";
import type { ReplicaSet } from "./replica-set.js";
import type { ReplicasStatus } from "./replica-status.js";

const NO_FALLBACKS: ReplicasStatus["fallbacks"] = Object.freeze({ unavailable: 0, readYourWrites: 0 });

/**
 * @internal `engine.replicas` for an engine, and the backend replica-safe reads use (its pool
 * routes each checkout); without replicas, `engine.db` and no read backend.
 */
export function engineReplicas<DB>(
  db: Kysely<DB>,
  set: ReplicaSet | undefined,
  kysely: (backend: Backend) => Kysely<DB>,
  primaryStatus: () => ReplicasStatus["primary"],
): { api: EngineReplicas<DB>; readBackend: Backend | undefined } {
  if (set === undefined) {
    const api: EngineReplicas<DB> = {
      db,
      status: () => Object.freeze({ primary: primaryStatus(), replicas: Object.freeze([]), fallbacks: NO_FALLBACKS }),
      readYourWrites: (fn, options) => {
        // Checked even without replicas: a bad token is the client's error on every deployment.
        if (options?.after !== undefined && options.after !== "") parsePosition(options.after);
        return fn();
      },
      position: () => undefined,
      check: async () => {},
    };
    return { api: Object.freeze(api), readBackend: undefined };
  }
  // Its pool picks a server per checkout; the primary's pipelined connections are not among them.
  const readBackend: Backend = { ...set.primary, pool: new ReadPool(set), pipeline: undefined };
  const api: EngineReplicas<DB> = {
    db: kysely(readBackend),
    status: () => set.status(),
    readYourWrites: (fn, options) => runReadingYourWrites(fn, options?.after === "" ? undefined : options?.after),
    position: currentPositionToken,
    check: () => set.check(),
  };
  return { api: Object.freeze(api), readBackend };
}
