import type { Kysely } from "kysely";
import type { Engine } from "../../engine/engine.js";
import type { ReadinessReport } from "../../health/readiness-report.js";
import type { SessionFactory } from "../../session/session-factory.js";

/**
 * `app.athanor`: the plugin's engine and session factory, for what runs outside a request's
 * unit of work: services, schedulers, WebSocket messages (a session per message).
 *
 * @example
 * ```ts
 * socket.on("message", (data) =>
 *   app.athanor.sessions.run(async (db) => {
 *     await db.insertInto("messages").values(JSON.parse(String(data))).execute();
 *     db.afterCommit(() => broadcast(data)); // only once it is durable
 *   }),
 * );
 * ```
 */
export interface AthanorHandle<DB> {
  readonly engine: Engine<DB>;
  /** The session factory the plugin opens request sessions from (the one given, or one made for the engine). */
  readonly sessions: SessionFactory<DB>;
  /** `engine.db`: autocommit statements, each on a connection of its own (the `transaction: false` routes' database). */
  readonly db: Kysely<DB>;
  /** The readiness report `GET /health/ready` answers with (database reachable, pool not saturated, migrations at head). */
  readiness(): Promise<ReadinessReport>;
}
