import type { Kysely } from "kysely";
import type { ReplicasStatus } from "./replica-status.js";

/** Options of `engine.replicas.readYourWrites()`. */
export interface ReadYourWritesOptions {
  /**
   * A token from `engine.replicas.position()` (another request's writes): reads in the scope
   * see at least that position too. A malformed token is an `InvalidReplicaPositionError`
   * (400 in athanor/fastify); an empty string is the same as none.
   */
  readonly after?: string | undefined;
}

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
  readYourWrites<T>(fn: () => T, options?: ReadYourWritesOptions): T;
  /**
   * The position this scope's reads must see (its writes so far, and its `after`), as an
   * opaque token: hand it to the client (a header, a cookie) and pass it back as `after` in
   * its next request, so that request reads its earlier writes too. `undefined` outside a
   * scope, or before the scope used the primary.
   *
   * @example
   * ```ts
   * app.post("/notes", async (request, reply) =>
   *   engine.replicas.readYourWrites(async () => {
   *     const note = await createNote(request.body);
   *     reply.header("x-db-position", engine.replicas.position() ?? "");
   *     return note;
   *   }),
   * );
   * app.get("/notes", (request) => engine.replicas.readYourWrites(() => listNotes(), { after: request.headers["x-db-position"] as string | undefined }));
   * ```
   */
  position(): string | undefined;
  /** Checks every replica now instead of at the next interval (the checks run by themselves; this is for tests and start-up). */
  check(): Promise<void>;
}
