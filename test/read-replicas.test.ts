import { sql, type Kysely } from "kysely";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError, InvalidReplicaPositionError, createEngine, createSessionFactory, type Engine, type EngineOptions } from "../src/index.js";
import type { EngineEvents } from "../src/engine/engine-events.js";
import Fastify from "fastify";
import { athanorPlugin } from "../src/integrations/fastify/index.js";
import { ThrowawayCluster } from "./support/throwaway-cluster.js";
import { sleep, waitUntil } from "./support/wait-until.js";

interface DB {
  notes: { id: number; body: string };
}

const support = ThrowawayCluster.support();
const required = process.env.CI === "true";
if (!support.available && !required) {
  process.stderr.write(`\n[athanor tests] read replica tests SKIPPED: ${support.reason}. They make a primary and a streaming replica with pg_createcluster and pg_basebackup; CI=true requires them.\n\n`);
}

/** The replica replays each commit this much later: a lagging replica on demand. */
const APPLY_DELAY_MILLIS = 1_500;
/** Trust authentication ignores it; it is there to prove it never shows. */
const PASSWORD = "s3cret-replica-pw";

describe("read replica options", () => {
  it("are validated by name, PostgreSQL servers only, passwords masked", async () => {
    expect(() => createEngine("sqlite::memory:", { replicas: ["postgres://a@127.0.0.1/x"] })).toThrow(/read replicas need a PostgreSQL server/);
    expect(() => createEngine("pglite::memory:", { replicas: ["postgres://a@127.0.0.1/x"] })).toThrow(ConfigurationError);
    expect(() => createEngine("postgres://a@127.0.0.1/x", { replicas: ["sqlite::memory:"] })).toThrow(/options\.replicas\[0\] must be a postgres:\/\/ URL/);
    expect(() => createEngine("postgres://a@127.0.0.1/x", { replicas: "postgres://a@127.0.0.1/y" as never })).toThrow(/options\.replicas must be an array of postgres:\/\/ URLs/);
    expect(() => createEngine("postgres://a@127.0.0.1/x", { maxReplicaLagMillis: 0 })).toThrow(/maxReplicaLagMillis must be an integer from 1/);
    expect(() => createEngine("postgres://a@127.0.0.1/x", { replicaCheckIntervalMillis: 1 })).toThrow(/replicaCheckIntervalMillis must be an integer from 10/);
    expect(() => createEngine("postgres://a@127.0.0.1/x", { replicaLagMillis: 5 } as never)).toThrow(/unknown option options\.replicaLagMillis/);
    const bad = (() => {
      try {
        createEngine("postgres://a@127.0.0.1/x", { replicas: [`mysql://u:${PASSWORD}@h/db`] });
      } catch (error) {
        return error as Error;
      }
    })();
    expect(bad).toBeInstanceOf(ConfigurationError);
    expect(bad!.message).toMatch(/options\.replicas\[0\]/);
    expect(bad!.message).not.toContain(PASSWORD);
    const engine = createEngine("postgres://a@127.0.0.1/x", { replicas: ["postgres://a@127.0.0.2/x"] });
    expect(engine.options).toMatchObject({ maxReplicaLagMillis: 10_000, replicaCheckIntervalMillis: 1_000 });
    expect(engine.options.replicas.map(String)).toEqual(["postgres://a@127.0.0.2:5432/x"]);
    await engine.dispose();
  });
});

describe.skipIf(!support.available && !required)("read replicas (a throwaway primary and a streaming replica of its own)", () => {
  let primary: ThrowawayCluster | undefined;
  let replica: ThrowawayCluster | undefined;
  let replicaUrl = "";
  const engines: Engine<DB>[] = [];

  const makeEngine = (options: EngineOptions = {}): Engine<DB> => {
    const engine = createEngine<DB>(primary!.url(), { replicas: [replicaUrl], replicaCheckIntervalMillis: 100, healthCheckTimeoutMillis: 2_000, pool: { size: 4 }, ...options });
    engines.push(engine);
    return engine;
  };
  /** Which server answered: a standby is in recovery. */
  const onReplica = async (db: Kysely<DB>): Promise<boolean> => (await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(db)).rows[0]!.r;

  beforeAll(async () => {
    if (!support.available) throw new Error(`CI=true requires the read replica tests, and ${support.reason}`);
    primary = await ThrowawayCluster.create();
    const setup = createEngine(primary.url());
    await sql`create table notes (id integer primary key, body text not null)`.execute(setup.db);
    await setup.dispose();
    replica = await primary.createReplica({ applyDelayMillis: APPLY_DELAY_MILLIS });
    replicaUrl = replica.url().replace("postgres@", `postgres:${PASSWORD}@`);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.dispose()));
    await replica?.drop();
    await primary?.drop();
  }, 30_000);

  it("routes read-only sessions and engine.replicas.db to the replica, writes and ordinary sessions to the primary", async () => {
    const engine = makeEngine();
    const connected: number[] = [];
    engine.on("connect", ({ connectionId }) => connected.push(connectionId));
    const sessions = createSessionFactory(engine);
    const readOnly = sessions.withOptions({ readOnly: true });
    expect(await readOnly.run((db) => onReplica(db))).toBe(true);
    expect(await onReplica(engine.replicas.db)).toBe(true);
    expect(await sessions.run((db) => onReplica(db))).toBe(false);
    expect(await onReplica(engine.db)).toBe(false);
    // A standby refuses serializable transactions: those stay on the primary.
    expect(await readOnly.run((db) => onReplica(db), { isolationLevel: "serializable" })).toBe(false);
    await sessions.run((db) => db.insertInto("notes").values({ id: 1, body: "routed" }).execute());
    const status = engine.replicas.status();
    expect(status.replicas).toHaveLength(1);
    expect(status.replicas[0]).toMatchObject({ name: `127.0.0.1:${replica!.port}/postgres`, inRotation: true, reason: null, reads: 2 });
    expect(status.primary.name).toBe(`127.0.0.1:${primary!.port}/postgres`);
    expect(status.fallbacks).toEqual({ unavailable: 0, readYourWrites: 0 });
    expect(JSON.stringify(status)).not.toContain(PASSWORD);
    // Connection ids are one sequence per engine, across the servers' pools.
    expect(connected.length).toBeGreaterThanOrEqual(2);
    expect(new Set(connected).size).toBe(connected.length);
  });

  it("takes a lagging replica out of rotation (reads fall back to the primary, counted and emitted) and puts it back once it has caught up", async () => {
    const engine = makeEngine({ maxReplicaLagMillis: 300 });
    const states: Array<EngineEvents["replicaState"]> = [];
    const fallbacks: Array<EngineEvents["replicaFallback"]> = [];
    engine.on("replicaState", (event) => states.push(event));
    engine.on("replicaFallback", (event) => fallbacks.push(event));
    expect(await onReplica(engine.replicas.db)).toBe(true);
    await engine.db.insertInto("notes").values({ id: 2, body: "makes the replica lag" }).execute();
    await waitUntil("the lagging replica to leave rotation", () => !engine.replicas.status().replicas[0]!.inRotation, 3_000);
    expect(engine.replicas.status().replicas[0]!.reason).toMatch(/^lagging: \d+ ms behind the primary \(maxReplicaLagMillis 300\)$/);
    expect(await onReplica(engine.replicas.db)).toBe(false);
    expect(engine.replicas.status().fallbacks.unavailable).toBeGreaterThanOrEqual(1);
    expect(fallbacks).toContainEqual({ reason: "unavailable" });
    await waitUntil("the replica to catch up and rejoin", () => engine.replicas.status().replicas[0]!.inRotation, APPLY_DELAY_MILLIS + 3_000);
    expect(await onReplica(engine.replicas.db)).toBe(true);
    expect(await engine.replicas.db.selectFrom("notes").select("id").where("id", "=", 2).execute()).toEqual([{ id: 2 }]);
    expect(states.map((state) => state.inRotation)).toEqual([true, false, true]);
  });

  it("read-your-writes: after a commit in the scope, reads go only to a replica that has replayed it, else the primary; outside a scope they may be stale", async () => {
    const engine = makeEngine(); // lag allowed up to 10 s: the delayed replica stays in rotation
    const sessions = createSessionFactory(engine);
    const readOnly = sessions.withOptions({ readOnly: true });
    const read = (id: number) => readOnly.run((db) => db.selectFrom("notes").select("id").where("id", "=", id).execute());

    // Outside a scope: the replica has not replayed the write yet, and the read says so.
    await sessions.run((db) => db.insertInto("notes").values({ id: 3, body: "unscoped" }).execute());
    expect(await read(3)).toEqual([]);

    await engine.replicas.readYourWrites(async () => {
      await sessions.run((db) => db.insertInto("notes").values({ id: 4, body: "scoped" }).execute());
      expect(await read(4)).toEqual([{ id: 4 }]);
      expect(await readOnly.run((db) => onReplica(db))).toBe(false);
      expect(engine.replicas.status().fallbacks.readYourWrites).toBe(2);
      // Autocommit writes count too.
      await engine.db.insertInto("notes").values({ id: 5, body: "autocommit" }).execute();
      expect(await engine.replicas.db.selectFrom("notes").select("id").where("id", "=", 5).execute()).toEqual([{ id: 5 }]);
      // Once the replica has replayed the scope's writes, its reads go there again.
      await sleep(APPLY_DELAY_MILLIS + 200);
      expect(await readOnly.run((db) => onReplica(db))).toBe(true);
      expect(await read(5)).toEqual([{ id: 5 }]);
    });
    expect(engine.replicas.status().fallbacks.unavailable).toBe(0);
  });

  it("with postgres.pipeline: engine.replicas.db still reads from the replica, and an autocommit write in a read-your-writes scope is recorded", async () => {
    const engine = makeEngine({ postgres: { pipeline: 2 } });
    await waitUntil("the replica in rotation", () => onReplica(engine.replicas.db));
    expect(await engine.replicas.db.selectNoFrom(sql<boolean>`pg_is_in_recovery()`.as("r")).executeTakeFirstOrThrow()).toEqual({ r: true });
    // engine.db's autocommit statements are pipelined on the primary.
    expect(await engine.db.selectNoFrom(sql<boolean>`pg_is_in_recovery()`.as("r")).executeTakeFirstOrThrow()).toEqual({ r: false });
    expect(engine.pool.status().pipelineConnections).toBe(1);
    await engine.replicas.readYourWrites(async () => {
      await engine.db.insertInto("notes").values({ id: 8, body: "pipelined engine" }).execute();
      expect(await engine.replicas.db.selectFrom("notes").select("id").where("id", "=", 8).execute()).toEqual([{ id: 8 }]);
    });
    expect(engine.replicas.status().fallbacks.readYourWrites).toBeGreaterThanOrEqual(1);
  });

  it("read-your-writes across requests: a position token from one scope makes another scope's reads see its writes; a forged token is refused", async () => {
    const engine = makeEngine();
    const sessions = createSessionFactory(engine);
    const readOnly = sessions.withOptions({ readOnly: true });
    const token = await engine.replicas.readYourWrites(async () => {
      expect(engine.replicas.position()).toBeUndefined();
      await sessions.run((db) => db.insertInto("notes").values({ id: 6, body: "posted" }).execute());
      return engine.replicas.position();
    });
    expect(token).toMatch(/^[0-9a-f]+$/);
    expect(engine.replicas.position()).toBeUndefined();
    const read = () => readOnly.run((db) => db.selectFrom("notes").select("id").where("id", "=", 6).execute());
    expect(await read()).toEqual([]); // no token: the delayed replica has not replayed it
    expect(await engine.replicas.readYourWrites(read, { after: token })).toEqual([{ id: 6 }]);
    expect(engine.replicas.readYourWrites(() => engine.replicas.position(), { after: token })).toBe(token);
    expect(() => engine.replicas.readYourWrites(read, { after: "0/16B374D8" })).toThrow(InvalidReplicaPositionError);
  });

  it("athanor/fastify: a read-only route's request.db reads from the replica, other routes from the primary", async () => {
    const engine = makeEngine();
    const app = Fastify();
    // The repository's tests declare another schema for request.db: this one is cast.
    await app.register(athanorPlugin, { sessions: createSessionFactory(engine) as never });
    app.get("/read-only", { config: { athanor: { readOnly: true } } }, async (request) => ({ replica: await onReplica(request.db as unknown as Kysely<DB>) }));
    app.get("/ordinary", async (request) => ({ replica: await onReplica(request.db as unknown as Kysely<DB>) }));
    try {
      expect((await app.inject("/read-only")).json()).toEqual({ replica: true });
      expect((await app.inject("/ordinary")).json()).toEqual({ replica: false });
    } finally {
      await app.close();
    }
  });

  it("never reads from a URL that names a primary instead of a standby", async () => {
    const engine = createEngine<DB>(primary!.url(), { replicas: [primary!.url()], replicaCheckIntervalMillis: 100 });
    engines.push(engine);
    expect(await onReplica(engine.replicas.db)).toBe(false);
    expect(engine.replicas.status().replicas[0]).toMatchObject({ inRotation: false, reason: expect.stringMatching(/^not a standby/) });
    expect(engine.replicas.status().fallbacks.unavailable).toBe(1);
    // dispose() closes every server's pool and stops the checks.
    await engine.dispose();
    const closed = engine.replicas.status();
    expect([closed.primary.pool.total, closed.replicas[0]!.pool.total]).toEqual([0, 0]);
  });

  it("docs/read-replicas.md's program runs against the pair: its read-your-writes read is served, the replica is reported", async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const env = { ...process.env, DATABASE_URL: primary!.url(), REPLICA_URLS: replicaUrl };
    const result = await new Promise<{ error: Error | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", "examples/docs/read-replicas.ts"], { cwd: root, env }, (error, stdout, stderr) => resolve({ error, stdout, stderr }));
    });
    expect(result.stderr).toBe("");
    expect(result.error).toBeNull();
    expect(result.stdout).toContain("written on the primary");
    expect(result.stdout).toContain(`127.0.0.1:${replica!.port}/postgres true`);
    expect(result.stdout).toContain(`127.0.0.1:${replica!.port}/postgres ok`);
    expect(result.stdout).not.toContain(PASSWORD);
  }, 30_000);

  it("reports each server in health; a stopped replica leaves rotation and reads fall back to the primary until it is back", async () => {
    const engine = makeEngine();
    expect(await onReplica(engine.replicas.db)).toBe(true);
    const healthy = await engine.healthCheck();
    expect(healthy.status).toBe("ok");
    expect(healthy.replicas).toHaveLength(1);
    expect(healthy.replicas![0]).toMatchObject({ status: "ok", name: `127.0.0.1:${replica!.port}/postgres`, port: replica!.port, inRotation: true });

    // Checked once a minute: only a read can notice the replica is gone.
    const rarelyChecked = makeEngine({ replicaCheckIntervalMillis: 60_000 });
    expect(await onReplica(rarelyChecked.replicas.db)).toBe(true);

    await replica!.stop();
    try {
      // A read that cannot connect takes the replica out of rotation at once and is served by the primary.
      await waitUntil("the stopped replica's idle connection to be dropped", () => rarelyChecked.replicas.status().replicas[0]!.pool.idle === 0, 3_000);
      expect(await onReplica(rarelyChecked.replicas.db)).toBe(false);
      expect(rarelyChecked.replicas.status().replicas[0]).toMatchObject({ inRotation: false, reason: expect.stringMatching(/^unreachable: /) });
      expect(rarelyChecked.replicas.status().fallbacks.unavailable).toBe(1);

      await engine.replicas.check();
      const status = engine.replicas.status().replicas[0]!;
      expect(status.inRotation).toBe(false);
      expect(status.reason).toMatch(/^unreachable: /);
      expect(await onReplica(engine.replicas.db)).toBe(false);
      expect(engine.replicas.status().fallbacks.unavailable).toBe(1);
      const degraded = await engine.healthCheck();
      expect(degraded.status).toBe("ok");
      expect(degraded.replicas![0]).toMatchObject({ status: "error", inRotation: false });
      expect(JSON.stringify(degraded)).not.toContain(PASSWORD);
    } finally {
      await replica!.start();
    }
    await waitUntil("the restarted replica to rejoin", async () => (await engine.replicas.check(), engine.replicas.status().replicas[0]!.inRotation), 10_000);
    expect(await onReplica(engine.replicas.db)).toBe(true);
  });
});
