import { hostname } from "node:os";
import { Cron } from "croner";
import type { SessionFactory } from "athanor";
import type { DB } from "../schema.js";
import { runAgentDefault, type RunAgent } from "./run-agent-default.js";

/** A due run this worker recorded, and so executes. */
export interface ClaimedRun {
  readonly id: string;
  readonly agent_id: string;
  readonly scheduled_for: Date;
}

/** What one tick found and did. */
export interface TickResult {
  /** Due runs this worker had not settled yet (recorded by it or by another worker). */
  readonly due: number;
  /** The runs this worker recorded: each due run is recorded by exactly one worker. */
  readonly claimed: readonly ClaimedRun[];
  /** Runs left `running` past `runTimeoutMillis` (their worker died) marked failed. */
  readonly reaped: number;
}

/** Options of {@link AgentScheduler}. */
export interface AgentSchedulerOptions {
  /** Recorded on each run this worker claims. Default `<hostname>:<pid>`. */
  readonly workerId?: string;
  /** How often to look for due runs. Default 1 000. */
  readonly tickMillis?: number;
  /** How far back a missed run is still recorded (workers down, a slow tick). Default 60 000. */
  readonly catchUpMillis?: number;
  /** A run still `running` this long after it started is marked failed (its worker died). Default 600 000. */
  readonly runTimeoutMillis?: number;
  /** The time (tests move it). Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** The agent's work for one run; its result is stored as the run's output. */
  readonly runAgent?: RunAgent;
  /** Where errors of the background loop go (a tick or a run that failed). Default: stderr. */
  readonly onError?: (error: unknown) => void;
  /** Told of the runs this worker recorded, as soon as their claim commits (before they execute). */
  readonly onClaimed?: (runs: readonly ClaimedRun[]) => void;
}

/** The most runs of one agent enumerated per tick (a `* * * * * *` schedule with a long catch-up). */
const MAX_DUE_PER_AGENT = 1_000;

/**
 * Seed 000's SchedulerService: agents whose `schedule` is set run on their cron expression
 * (croner computes the occurrences), on every worker of the service at once.
 *
 * **Each due run is recorded exactly once, however many workers find it due.** A run is the
 * row (agent_id, scheduled_for) of `agent_runs`, whose unique key makes the database the
 * arbiter: every worker inserts the runs it finds due with `ON CONFLICT DO NOTHING …
 * RETURNING`, and executes only the rows it got back. On PostgreSQL a second insert of the
 * same key waits for the first transaction and then does nothing (or inserts, if the first
 * rolled back: a worker killed mid-claim loses nothing). On SQLite the same statement runs in
 * a `BEGIN IMMEDIATE` transaction, and SQLite has one writer per database file across all
 * processes: claims run one after another, each seeing the ones before it.
 *
 * **Setting `schedule` to NULL stops an agent at once.** The claim reads the agent's row
 * `FOR SHARE` in its transaction and records nothing unless the schedule is still the one
 * the runs were computed from; the update that clears it waits for claims in flight, and
 * claims after it see NULL (SQLite's single writer orders them the same way).
 *
 * A run is claimed in one short transaction and executed outside it (an agent's work takes
 * seconds: no transaction, no SQLite writer held meanwhile); its outcome is written by a
 * second one. A worker that dies between them leaves its run `running`; another worker's
 * tick marks it failed after `runTimeoutMillis`.
 *
 * The scheduler takes the session factory by injection (seed 001), so tests hand it a
 * sandbox's or a fresh database's.
 *
 * @example
 * ```ts
 * const scheduler = new AgentScheduler(sessions, { tickMillis: 1_000 });
 * scheduler.start();
 * // … at shutdown:
 * await scheduler.stop(5_000); // no new ticks; waits for runs in progress
 * ```
 */
export class AgentScheduler {
  readonly workerId: string;
  private readonly tickMillis: number;
  private readonly catchUpMillis: number;
  private readonly runTimeoutMillis: number;
  private readonly clock: () => Date;
  private readonly runAgent: RunAgent;
  private readonly onError: (error: unknown) => void;
  private readonly onClaimed: ((runs: readonly ClaimedRun[]) => void) | undefined;
  /** Runs this worker has seen recorded (by itself or another worker): `agentId@time` → time. */
  private readonly settled = new Map<string, number>();
  private readonly crons = new Map<string, Cron | undefined>();
  private readonly executing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;
  private active = false;

  constructor(
    private readonly sessions: SessionFactory<DB>,
    options: AgentSchedulerOptions = {},
  ) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    this.tickMillis = options.tickMillis ?? 1_000;
    this.catchUpMillis = options.catchUpMillis ?? 60_000;
    this.runTimeoutMillis = options.runTimeoutMillis ?? 600_000;
    this.clock = options.clock ?? (() => new Date());
    this.runAgent = options.runAgent ?? runAgentDefault;
    this.onError = options.onError ?? ((error) => process.stderr.write(`agent scheduler: ${(error as Error).stack ?? String(error)}\n`));
    this.onClaimed = options.onClaimed;
  }

  /** Runs being executed by this worker right now. */
  get inFlight(): number {
    return this.executing.size;
  }

  /** Starts ticking (the first tick at once). Idempotent. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.next(0);
  }

  /**
   * Stops ticking and waits, up to `timeoutMillis`, for the tick and the runs in progress.
   * Returns false when runs were still executing at the deadline (they stay `running`, and
   * another worker marks them failed later). Idempotent.
   */
  async stop(timeoutMillis = 10_000): Promise<boolean> {
    this.active = false;
    clearTimeout(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timeout = setTimeout(() => resolve(false), timeoutMillis)));
    const drained = (async () => {
      await this.ticking;
      while (this.executing.size > 0) await Promise.allSettled([...this.executing]);
      return true as const;
    })();
    try {
      return await Promise.race([drained, deadline]);
    } finally {
      clearTimeout(timeout);
    }
  }

  /**
   * One pass: finds the due runs of every scheduled agent, records the ones no worker has
   * recorded yet, starts executing those, and marks lost runs failed.
   */
  async tick(): Promise<TickResult> {
    const now = this.clock();
    const windowStart = now.getTime() - this.catchUpMillis;
    for (const [key, time] of this.settled) if (time <= windowStart) this.settled.delete(key);

    const agents = await this.sessions.run((db) => db.selectFrom("agents").select(["id", "schedule", "updated_at"]).where("schedule", "is not", null).execute(), {
      readOnly: true,
    });
    let due = 0;
    const claimed: ClaimedRun[] = [];
    for (const agent of shuffled(agents)) {
      const times = this.dueTimes(agent.id, agent.schedule!, Math.max(windowStart, agent.updated_at.getTime()), now);
      if (times.length === 0) continue;
      due += times.length;
      const runs = await this.claim(agent.id, agent.schedule!, times, now);
      for (const time of times) this.settled.set(`${agent.id}@${time.getTime()}`, time.getTime());
      if (runs.length > 0) this.onClaimed?.(runs);
      for (const run of runs) {
        claimed.push(run);
        this.execute(run);
      }
    }
    return { due, claimed, reaped: await this.reapLostRuns(now) };
  }

  private next(delayMillis: number): void {
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch(this.onError)
        .finally(() => {
          this.ticking = undefined;
          if (this.active) this.next(this.tickMillis);
        });
    }, delayMillis);
  }

  /** Occurrences in (from, now] this worker has not settled, oldest first. */
  private dueTimes(agentId: string, schedule: string, fromMillis: number, now: Date): Date[] {
    const cron = this.cron(schedule);
    const times: Date[] = [];
    for (let time = cron?.nextRun(new Date(fromMillis)); time && time <= now && times.length < MAX_DUE_PER_AGENT; time = cron!.nextRun(time)) {
      if (!this.settled.has(`${agentId}@${time.getTime()}`)) times.push(time);
    }
    return times;
  }

  private cron(schedule: string): Cron | undefined {
    if (!this.crons.has(schedule)) {
      try {
        this.crons.set(schedule, new Cron(schedule, { paused: true, timezone: "Etc/UTC", mode: "5-or-6-parts" }));
      } catch (error) {
        this.crons.set(schedule, undefined); // written around the API's validation: skipped, reported once
        this.onError(new Error(`agent schedule "${schedule}" is not a cron expression: ${(error as Error).message}`));
      }
    }
    return this.crons.get(schedule);
  }

  /** Records the runs; returns those this worker recorded (the others were recorded already). */
  private claim(agentId: string, schedule: string, times: readonly Date[], now: Date): Promise<ClaimedRun[]> {
    return this.sessions.run(async (db) => {
      // FOR SHARE: an update clearing the schedule waits for this claim, and a claim after it sees NULL.
      const agent = await db.selectFrom("agents").select("schedule").where("id", "=", agentId).forShare().executeTakeFirst();
      if (agent?.schedule !== schedule) return [];
      return db
        .insertInto("agent_runs")
        .values(times.map((time) => ({ agent_id: agentId, scheduled_for: time, worker: this.workerId, started_at: now })))
        .onConflict((conflict) => conflict.columns(["agent_id", "scheduled_for"]).doNothing())
        .returning(["id", "agent_id", "scheduled_for"])
        .execute();
    });
  }

  private execute(run: ClaimedRun): void {
    const work = (async () => {
      let output: Record<string, unknown> | null = null;
      let error: string | null = null;
      try {
        output = await this.runAgent(run, this.sessions);
      } catch (cause) {
        error = (cause as Error).message ?? String(cause);
      }
      await this.sessions.run((db) =>
        db
          .updateTable("agent_runs")
          .set({ status: error === null ? "succeeded" : "failed", finished_at: this.clock(), output, error })
          .where("id", "=", run.id)
          .where("status", "=", "running")
          .execute(),
      );
    })()
      .catch(this.onError)
      .finally(() => this.executing.delete(work));
    this.executing.add(work);
  }

  private async reapLostRuns(now: Date): Promise<number> {
    const result = await this.sessions.run((db) =>
      db
        .updateTable("agent_runs")
        .set({ status: "failed", finished_at: now, error: `no outcome within ${this.runTimeoutMillis} ms: its worker stopped` })
        .where("status", "=", "running")
        .where("started_at", "<", new Date(now.getTime() - this.runTimeoutMillis))
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows);
  }
}

/** A fresh random order, so workers ticking together start on different agents. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
