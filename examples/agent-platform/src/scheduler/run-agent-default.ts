import type { SessionFactory } from "athanor";
import type { DB } from "../schema.js";
import type { ClaimedRun } from "./agent-scheduler.js";

/** An agent's work for one run: what it returns is stored as the run's output. */
export type RunAgent = (run: ClaimedRun, sessions: SessionFactory<DB>) => Promise<Record<string, unknown>>;

/**
 * The demo's agent work: a digest of the agent's feedback so far (a real agent would call
 * its model here). It reads in a read-only session of its own: a run holds no transaction
 * while it works.
 *
 * @example
 * ```ts
 * new AgentScheduler(sessions, { runAgent: runAgentDefault });
 * ```
 */
export const runAgentDefault: RunAgent = async (run, sessions) => {
  const stats = await sessions.run(
    (db) =>
      db
        .selectFrom("feedback")
        .select((eb) => [eb.fn.countAll<number>().as("ratings"), eb.fn.avg<number>("rating").as("average")])
        .where("agent_id", "=", run.agent_id)
        .executeTakeFirstOrThrow(),
    { readOnly: true },
  );
  return { summary: `run for ${run.scheduled_for.toISOString()}: ${stats.ratings} rating(s), average ${stats.average ?? "n/a"}` };
};
