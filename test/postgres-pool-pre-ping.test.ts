import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionLostError, PoolTimeoutError, type Engine } from "../src/index.js";
import type { DisconnectReason } from "../src/engine/engine-events.js";
import { FaultProxy } from "./support/fault-proxy.js";
import { databaseOf, PostgresAdmin, postgresUnavailable, withApplicationName } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";
import { sleep, waitUntil } from "./support/wait-until.js";

const POOL_SIZE = 3;

describe.skipIf(postgresUnavailable)("PostgreSQL pool: pre-ping", () => {
  const postgres = postgresSuite();
  let admin: PostgresAdmin;
  let proxy: FaultProxy;

  beforeAll(async () => {
    admin = await PostgresAdmin.open();
    const target = new URL(postgres.url());
    proxy = await FaultProxy.start(target.hostname, Number(target.port || 5432));
  });
  afterAll(async () => {
    await proxy?.close();
    await admin?.close();
  });

  /** An engine through the proxy whose every connection went half-open after its backend was terminated. */
  async function engineWithDeadIdleConnections(prePing: boolean, applicationName: string) {
    const engine = postgres.engine(withApplicationName(proxy.rewrite(postgres.url()), applicationName), {
      pool: { size: POOL_SIZE, maxOverflow: 0, prePing, acquireTimeoutMillis: 5_000 },
    });
    const disconnects: DisconnectReason[] = [];
    engine.on("disconnect", ({ reason }) => disconnects.push(reason));
    const warm = await Promise.all(Array.from({ length: POOL_SIZE }, () => engine.backend.pool.acquire()));
    await Promise.all(warm.map((connection) => engine.backend.pool.release(connection)));
    expect(engine.pool.status()).toMatchObject({ total: POOL_SIZE, idle: POOL_SIZE });

    expect(proxy.halfOpenAll()).toBe(POOL_SIZE);
    const pids = await admin.pids(databaseOf(postgres.url()), applicationName, "idle");
    expect(pids).toHaveLength(POOL_SIZE);
    expect(await admin.terminate(databaseOf(postgres.url()), applicationName, pids)).toBe(POOL_SIZE);
    await admin.waitGone(pids);
    // The pool has not noticed: the proxy swallowed the server's FATAL message and close.
    expect(engine.pool.status()).toMatchObject({ idle: POOL_SIZE, destroyed: 0 });
    return { engine, disconnects };
  }

  async function runQueries(engine: Engine, count: number): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (let i = 0; i < count; i++) {
      try {
        const { rows } = await sql<{ n: number }>`select ${i}::int as n`.execute(engine.db);
        expect(rows).toEqual([{ n: i }]);
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }

  it("without pre-ping, checkouts of dead idle connections fail with ConnectionLostError", async () => {
    const { engine, disconnects } = await engineWithDeadIdleConnections(false, "athanor-preping-off");
    const failures = await runQueries(engine, POOL_SIZE * 2);
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.length).toBe(POOL_SIZE);
    for (const failure of failures) expect(failure).toBeInstanceOf(ConnectionLostError);
    expect(disconnects).not.toContain("pre-ping");
  });

  it("with pre-ping, dead idle connections are replaced transparently", async () => {
    const { engine, disconnects } = await engineWithDeadIdleConnections(true, "athanor-preping-on");
    const failures = await runQueries(engine, POOL_SIZE * 2);
    expect(failures).toEqual([]);
    await waitUntil("the dead connections' disconnect events", () => disconnects.length >= POOL_SIZE);
    expect(disconnects.filter((reason) => reason === "pre-ping")).toHaveLength(POOL_SIZE);
    expect(engine.pool.status()).toMatchObject({ destroyed: POOL_SIZE, created: POOL_SIZE + 1, checkedOut: 0 });
  });

  /** A one-connection engine through the proxy whose connection is then blackholed: its peer "vanished" without a reset. */
  async function engineWithSilentConnection(applicationName: string, pool: { prePingTimeoutMillis: number; acquireTimeoutMillis: number }) {
    const engine = postgres.engine(withApplicationName(proxy.rewrite(postgres.url()), applicationName), {
      pool: { size: 1, maxOverflow: 0, prePing: true, ...pool },
    });
    const disconnects: DisconnectReason[] = [];
    engine.on("disconnect", ({ reason }) => disconnects.push(reason));
    await sql`select 1`.execute(engine.db);
    const silent = proxy.matching(applicationName);
    expect(silent).toHaveLength(1);
    silent[0]!.blackhole();
    return { engine, disconnects };
  }

  it("replaces a connection whose pre-ping is not answered within prePingTimeoutMillis", async () => {
    // acquireTimeoutMillis far above the test's timeout: without the ping's own deadline the
    // checkout waits it out and throws POOL_TIMEOUT.
    const { engine, disconnects } = await engineWithSilentConnection("athanor-preping-silent", { prePingTimeoutMillis: 200, acquireTimeoutMillis: 60_000 });
    const { rows } = await sql<{ n: number }>`select 2 as n`.execute(engine.db);
    expect(rows).toEqual([{ n: 2 }]);
    await waitUntil("the silent connection's disconnect event", () => disconnects.length === 1);
    expect(disconnects).toEqual(["pre-ping"]);
    expect(engine.pool.status()).toMatchObject({ timeouts: 0, created: 2, destroyed: 1, checkedOut: 0 });
  });

  it("bounds a pre-ping by what is left of acquireTimeoutMillis", async () => {
    const { engine, disconnects } = await engineWithSilentConnection("athanor-preping-bounded", { prePingTimeoutMillis: 60_000, acquireTimeoutMillis: 300 });
    // Without the bound this waits for TCP to give up (minutes) and the test times out.
    const error = await sql`select 1`.execute(engine.db).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect((error as Error).message).toContain("never answered");
    await waitUntil("the silent connection's disconnect event", () => disconnects.length === 1);
    expect(disconnects).toEqual(["pre-ping"]);
    expect(engine.pool.status()).toMatchObject({ timeouts: 1, destroyed: 1, checkedOut: 0 });

    const { rows } = await sql<{ n: number }>`select 2 as n`.execute(engine.db);
    expect(rows).toEqual([{ n: 2 }]);
  }, 10_000);

  it("without a proxy, terminating idle backends neither crashes the process nor fails later queries", async () => {
    const applicationName = "athanor-preping-plain";
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    process.on("unhandledRejection", onUncaught);
    try {
      const engine = postgres.engine(withApplicationName(postgres.url(), applicationName), { pool: { size: POOL_SIZE, prePing: true } });
      const warm = await Promise.all(Array.from({ length: POOL_SIZE }, () => engine.backend.pool.acquire()));
      await Promise.all(warm.map((connection) => engine.backend.pool.release(connection)));

      expect(await admin.terminateIdle(databaseOf(postgres.url()), applicationName)).toBe(POOL_SIZE);
      await sleep(200);

      expect(uncaught).toEqual([]);
      expect(await runQueries(engine, POOL_SIZE * 2)).toEqual([]);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
      process.off("unhandledRejection", onUncaught);
    }
  });
});
