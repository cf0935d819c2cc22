import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, createSessionFactory } from "athanor";
import { useSandbox } from "athanor/testing";
import { AgentScheduler, type AgentSchedulerOptions } from "../src/scheduler/agent-scheduler.js";
import { schema } from "../src/schema.js";
import { factories } from "./support/factories.js";
import { DIALECTS, freshDatabase, useMigratedDatabase } from "./support/migrated-database.js";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe.each(DIALECTS)("AgentScheduler [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  let now = at(0);
  const errors: unknown[] = [];
  const started: AgentScheduler[] = [];
  const scheduler = (options: AgentSchedulerOptions = {}) => {
    const made = new AgentScheduler(sandbox.sessions, { clock: () => now, catchUpMillis: 3_600_000, onError: (error) => errors.push(error), ...options });
    started.push(made);
    return made;
  };
  beforeEach(() => {
    errors.length = 0;
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((made) => made.stop())); // their runs end inside the test's sandbox
  });

  it("records the due runs of a scheduled agent once, executes them, and stores their outcome", async () => {
    const agent = await factories.agents.create(sandbox.db, { schedule: "*/5 * * * *", updated_at: at(0) });
    await factories.agents.create(sandbox.db, { schedule: null, updated_at: at(0) }); // not scheduled: never runs
    now = at(30);
    const worker = scheduler({ workerId: "w1" });
    const tick = await worker.tick();
    expect(tick.due).toBe(6);
    expect(tick.claimed.map((run) => run.scheduled_for.toISOString())).toEqual([5, 10, 15, 20, 25, 30].map((minute) => at(minute).toISOString()));
    expect(await worker.stop()).toBe(true); // its runs finished
    const runs = await sandbox.db.selectFrom("agent_runs").selectAll().orderBy("scheduled_for").execute();
    expect(runs.map((run) => [run.agent_id, run.status, run.worker])).toEqual(Array(6).fill([agent.id, "succeeded", "w1"]));
    expect(runs[0]!.output).toMatchObject({ summary: expect.stringContaining("run for 2030-01-01T00:05:00.000Z") });
    expect(await worker.tick()).toMatchObject({ due: 0, claimed: [] }); // nothing new until the next occurrence
    now = at(35);
    expect((await worker.tick()).claimed).toHaveLength(1);
    await worker.stop();
  });

  it("a second worker finds the same runs due and records none of them again", async () => {
    await factories.agents.create(sandbox.db, { schedule: "*/10 * * * *", updated_at: at(0) });
    now = at(60);
    const first = await scheduler({ workerId: "w1" }).tick();
    const second = scheduler({ workerId: "w2" });
    const again = await second.tick();
    expect([first.claimed.length, again.due, again.claimed.length]).toEqual([6, 6, 0]);
    await second.stop();
    expect(await sandbox.db.selectFrom("agent_runs").select("worker").distinct().execute()).toEqual([{ worker: "w1" }]);
  });

  it("records nothing due before the agent's last change, nor beyond the catch-up window", async () => {
    await factories.agents.create(sandbox.db, { schedule: "0 * * * *", updated_at: at(90) }); // hourly, changed at 01:30
    now = at(600); // 10:00
    const tick = await scheduler({ catchUpMillis: 3 * 3_600_000 }).tick(); // looks back 3 hours: 07:00 < t ≤ 10:00
    expect(tick.claimed.map((run) => run.scheduled_for.getUTCHours())).toEqual([8, 9, 10]);
  });

  it("setting schedule to NULL stops an agent: its next tick records nothing", async () => {
    const agent = await factories.agents.create(sandbox.db, { schedule: "* * * * *", updated_at: at(0) });
    now = at(3);
    const worker = scheduler();
    expect((await worker.tick()).claimed).toHaveLength(3);
    await sandbox.db.updateTable("agents").set({ schedule: null }).where("id", "=", agent.id).execute();
    now = at(10);
    expect(await worker.tick()).toMatchObject({ due: 0, claimed: [] });
    await worker.stop();
  });

  it("skips an agent whose schedule is not a cron expression (reported once), and runs the others", async () => {
    await factories.agents.create(sandbox.db, { schedule: "not a cron", updated_at: at(0) }); // written around the API's check
    await factories.agents.create(sandbox.db, { schedule: "*/30 * * * *", updated_at: at(0) });
    now = at(60);
    const worker = scheduler();
    expect((await worker.tick()).claimed).toHaveLength(2);
    await worker.tick();
    expect(errors.map((error) => (error as Error).message)).toEqual([expect.stringContaining('"not a cron" is not a cron expression')]);
    await worker.stop();
  });

  it("stores a failed run's error, and marks runs left running past runTimeoutMillis failed (their worker died)", async () => {
    const agent = await factories.agents.create(sandbox.db, { schedule: "0 0 * * *", updated_at: at(-1) });
    const lost = await factories.agent_runs.create(sandbox.db, { agent_id: agent.id, scheduled_for: at(-60), started_at: at(-50), status: "running", worker: "gone" });
    now = at(0);
    const worker = scheduler({ runTimeoutMillis: 30 * 60_000, runAgent: async () => Promise.reject(new Error("model unavailable")) });
    const tick = await worker.tick();
    expect(tick).toMatchObject({ due: 1, reaped: 1 });
    await worker.stop();
    const runs = await sandbox.db.selectFrom("agent_runs").select(["id", "status", "error"]).orderBy("scheduled_for").execute();
    expect(runs).toEqual([
      { id: lost.id, status: "failed", error: expect.stringContaining("its worker stopped") },
      { id: tick.claimed[0]!.id, status: "failed", error: "model unavailable" },
    ]);
  });

  it("stop() stops ticking and waits for the runs in progress, up to its bound", async () => {
    await factories.agents.create(sandbox.db, { schedule: "* * * * *", updated_at: at(0) });
    now = at(1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = scheduler({ tickMillis: 10, runAgent: async () => (await gate, { ok: true }) });
    worker.start();
    await expect.poll(() => worker.inFlight).toBe(1);
    expect(await worker.stop(50)).toBe(false); // still running at the bound
    release();
    expect(await worker.stop(5_000)).toBe(true);
    const runs = await sandbox.db.selectFrom("agent_runs").select("status").execute();
    expect(runs).toEqual([{ status: "succeeded" }]); // ticking stopped: the only run is the first one
  });
});

// "At once": a stop committed while a claim is being decided wins; no sandbox, real concurrency.
describe.each(DIALECTS)("AgentScheduler against a concurrent stop [%s]", (dialect) => {
  it("a claim waits for the transaction clearing the schedule, then records nothing", async () => {
    const database = await freshDatabase(dialect === "postgres" ? "postgres" : "sqlite-file");
    const engine = createEngine(database.url, { schema, pool: { size: 3 } });
    try {
      const agent = await factories.agents.create(engine.db, { schedule: "* * * * *", updated_at: at(0) });
      const sessions = createSessionFactory(engine);
      const worker = new AgentScheduler(sessions, { clock: () => at(5), catchUpMillis: 3_600_000 });
      await using stopping = sessions.open();
      await stopping.updateTable("agents").set({ schedule: null }).where("id", "=", agent.id).execute(); // holds the row (PostgreSQL) or the writer (SQLite)
      const tick = worker.tick(); // lists the agent as scheduled (the stop is not committed), then claims
      await new Promise((resolve) => setTimeout(resolve, 200));
      await stopping.commit();
      expect(await tick).toMatchObject({ due: 5, claimed: [] });
      expect(await engine.db.selectFrom("agent_runs").selectAll().execute()).toEqual([]);
      await worker.stop();
    } finally {
      await engine.dispose();
      await database.drop();
    }
  });
});
