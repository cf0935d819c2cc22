import type { Kysely } from "kysely";
import type { ReplicasStatus } from "./replica-status.js";

/**
 * `engine.replicas`: reads from read replicas, and where reads went. Present on every
 * engine; without `replicas` in the options, `db` is `engine.db` and everything reads from
 * the one server.
 *
 * @example
 * ```ts
 * const engine = createEngine<DB>(primaryUrl, { replicas: [replicaUrl] });
 * const recent = await engine.replicas.db.selectFrom("agents").selectAll().limit(20).execute(); // a replica
 * await engine.replicas.readYourWrites(async () => {
 *   await sessions.run((db) => db.insertInto("agents").values(agent).execute());          // the primary
 *   return readOnly.run((db) => db.selectFrom("agents").selectAll().execute());          // sees the insert
 * });
 * ```
 */
export interface EngineReplicas<DB> {
  /** An autocommit Kysely whose every statement reads from a replica in rotation (or the primary): only for reads that may be a little stale. */
  readonly db: Kysely<DB>;
  /** Per server: in rotation or not and why, lag, reads, pool counters; and fallbacks to the primary. */
  status(): ReplicasStatus;
  /**
   * Runs `fn` in a read-your-writes scope: once something in it has used the primary
   * (a commit, an autocommit statement), its replica reads go only to a replica that has
   * replayed the primary's position at that moment, or to the primary. Each use of the
   * primary inside the scope costs one more round trip (`pg_current_wal_lsn()`). Nested
   * scopes share the outer one. (Inside an athanor/fastify request, a `run()` joins the
   * request's session on the primary, so it reads the request's own writes without a scope.)
   */
  readYourWrites<T>(fn: () => T): T;
  /** Checks every replica now instead of at the next interval (the checks run by themselves; this is for tests and start-up). */
  check(): Promise<void>;
}
