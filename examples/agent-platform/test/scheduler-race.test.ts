// The scheduler's exactly-once guarantee across processes: four worker processes, each with its
// own engine, tick over the same 200 due runs at once; then again while one of them is killed
// with SIGKILL in the middle of its runs. Committed data, so a fresh database each (no sandbox).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, createSessionFactory, type Engine } from "athanor";
import type { TestDatabase } from "athanor/testing";
import { AgentScheduler } from "../src/scheduler/agent-scheduler.js";
import { schema, type DB } from "../src/schema.js";
import { runTypeScript, type Child } from "./support/child-process.js";
import { factories } from "./support/factories.js";
import { DIALECTS, freshDatabase } from "./support/migrated-database.js";

const WORKERS = 4;
const AGENTS = 20;
const MINUTES = 10; // each agent runs every minute: 20 agents × 10 minutes = 200 due runs per round
const FIXTURE = "examples/agent-platform/test/fixtures/scheduler-worker.ts";

type Kind = "postgres" | "sqlite-file";
const KINDS = DIALECTS.map((dialect): Kind => (dialect === "postgres" ? "postgres" : "sqlite-file"));

/** A fresh database and four worker processes on it. */
interface Pool {
  readonly database: TestDatabase;
  readonly engine: Engine<DB>;
  workers: Child[];
}

async function startPool(kind: Kind): Promise<Pool> {
  const database = await freshDatabase(kind);
  const engine = createEngine(database.url, { schema });
  // worker-0's runs take longer, so that the SIGKILL below lands while they run.
  const workers = Array.from({ length: WORKERS }, (_, i) => runTypeScript(FIXTURE, { DATABASE_URL: database.url, WORKER_ID: `worker-${i}`, RUN_DELAY_MILLIS: i === 0 ? "500" : "20" }));
  await Promise.all(workers.map((worker) => worker.waitFor(/^ready$/, 60_000)));
  return { database, engine, workers };
}

// Every dialect's workers start at once: starting processes is most of this file's time.
const pools = new Map<Kind, Promise<Pool>>();
beforeAll(async () => {
  for (const kind of KINDS) pools.set(kind, startPool(kind));
  await Promise.all(pools.values());
}, 90_000);
afterAll(async () => {
  for (const started of pools.values()) {
    const pool = await started.catch(() => undefined);
    if (pool === undefined) continue;
    for (const worker of pool.workers) worker.process.kill("SIGKILL");
    await pool.engine.dispose();
    await pool.database.drop();
  }
});

describe.each(KINDS)("scheduler: exactly once across %s worker processes", (kind) => {
  let engine: Engine<DB>;
  let pool: Pool;
  let workers: Child[] = [];
  beforeAll(async () => {
    pool = await pools.get(kind)!;
    engine = pool.engine;
    workers = pool.workers;
  });

  /** 20 agents due every minute since `since`: 10 runs each by `since + 10 min`. */
  async function scheduleAgents(since: Date): Promise<string[]> {
    const owner = await factories.users.create(engine.db);
    const agents = await factories.agents.createList(engine.db, AGENTS, { owner_id: owner.id, schedule: "* * * * *", updated_at: since });
    return agents.map((agent) => agent.id);
  }

  async function runsOf(agentIds: readonly string[]) {
    return engine.db.selectFrom("agent_runs").select(["id", "agent_id", "scheduled_for", "worker", "status"]).where("agent_id", "in", agentIds).execute();
  }

  function expectEachRunOnce(runs: Array<{ agent_id: string; scheduled_for: Date }>, agentIds: readonly string[], since: Date): void {
    const keys = runs.map((run) => `${run.agent_id}@${run.scheduled_for.toISOString()}`);
    const expected = agentIds.flatMap((id) => Array.from({ length: MINUTES }, (_, minute) => `${id}@${new Date(since.getTime() + (minute + 1) * 60_000).toISOString()}`));
    expect(keys.length).toBe(AGENTS * MINUTES);
    expect(new Set(keys).size).toBe(keys.length); // no run recorded twice
    expect(new Set(keys)).toEqual(new Set(expected)); // and none missing
  }

  it(`records each of ${AGENTS * MINUTES} due runs exactly once while ${WORKERS} workers race for them`, async () => {
    const since = new Date("2030-01-01T00:00:00.000Z");
    const agentIds = await scheduleAgents(since);
    const now = new Date(since.getTime() + MINUTES * 60_000);
    for (const worker of workers) worker.tell(`go ${now.toISOString()}`);
    const results = await Promise.all(workers.map(async (worker) => JSON.parse((await worker.waitFor(/^done /, 60_000)).slice(5)) as { due: number; claimed: string[] }));

    expect(results.map((result) => result.due)).toEqual(Array(WORKERS).fill(AGENTS * MINUTES)); // every worker tried to record every run
    const runs = await runsOf(agentIds);
    expectEachRunOnce(runs, agentIds, since);
    expect(results.flatMap((result) => result.claimed).sort()).toEqual(runs.map((run) => run.id).sort()); // each run claimed by exactly one worker
    expect(runs.every((run) => run.status === "succeeded")).toBe(true); // and executed by it

    await engine.db.updateTable("agents").set({ schedule: null }).where("id", "in", agentIds).execute(); // stopped: nothing more for these agents
  }, 90_000);

  it("still records each due run exactly once when a worker is killed with SIGKILL in the middle of its runs", async () => {
    const since = new Date("2030-02-01T00:00:00.000Z");
    const agentIds = await scheduleAgents(since);
    const now = new Date(since.getTime() + MINUTES * 60_000);
    const [victim, ...survivors] = workers;
    const from = workers.map((worker) => worker.lines.length); // this round's output only
    for (const worker of workers) worker.tell(`go ${now.toISOString()}`);
    await victim!.waitFor(/^claimed \d+$/, 60_000, from[0]); // its claims are committed and its runs are executing
    victim!.process.kill("SIGKILL");
    expect(await victim!.exited).toBe("SIGKILL");
    workers = survivors;
    pool.workers = survivors;
    await Promise.all(survivors.map((worker, i) => worker.waitFor(/^done /, 60_000, from[i + 1])));

    const runs = await runsOf(agentIds);
    expectEachRunOnce(runs, agentIds, since);
    const orphaned = runs.filter((run) => run.status === "running");
    expect(orphaned.length).toBeGreaterThan(0); // killed mid-run: recorded, never finished
    expect(orphaned.every((run) => run.worker === "worker-0")).toBe(true); // only the dead worker's runs lack an outcome
    expect(runs.filter((run) => run.worker !== "worker-0").every((run) => run.status === "succeeded")).toBe(true);

    // Another worker's tick marks the dead worker's runs failed once they are older than runTimeoutMillis.
    await engine.db.updateTable("agents").set({ schedule: null }).where("id", "in", agentIds).execute();
    const reaper = new AgentScheduler(createSessionFactory(engine), { clock: () => new Date(now.getTime() + 3_600_000), runTimeoutMillis: 600_000 });
    expect(await reaper.tick()).toMatchObject({ due: 0, reaped: orphaned.length });
    const failed = await engine.db.selectFrom("agent_runs").select("error").where("id", "in", orphaned.map((run) => run.id)).where("status", "=", "failed").execute();
    expect(failed).toHaveLength(orphaned.length);
    for (const worker of survivors) worker.tell("exit");
    expect(await Promise.all(survivors.map((worker) => worker.exited))).toEqual([0, 0, 0]);
  }, 90_000);
});
