import type { BackendConnection } from "./backend.js";

/**
 * How a backend reads replication positions, for read replicas. Positions are opaque
 * increasing numbers (PostgreSQL: WAL LSNs as bigints), compared only with each other.
 */
export interface ReplicationProbe {
  /** The primary's current write position: a commit made before this call is at or below it. */
  currentPosition(connection: BackendConnection): Promise<bigint>;
  /**
   * A standby's replayed position (its data includes every commit at or below it), or
   * `undefined` when the server is not a standby (it is not replaying anything).
   */
  replayedPosition(connection: BackendConnection): Promise<bigint | undefined>;
}
