import { execFileSync } from "node:child_process";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommitOutcomeUnknownError, ConnectionLostError, createSessionFactory, type Engine } from "../src/index.js";
import type { PostgresConnection } from "../src/backends/postgres/postgres-connection.js";
import type { DisconnectReason } from "../src/engine/engine-events.js";
import type { EngineOptions } from "../src/engine/engine-options.js";
import { FaultProxy, type ProxiedConnection } from "./support/fault-proxy.js";
import { postgresUnavailable, withApplicationName } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";
import { waitUntil } from "./support/wait-until.js";

describe.skipIf(postgresUnavailable)("PostgreSQL: a connection that stops answering, breaks mid-answer or slows down", () => {
  const postgres = postgresSuite();
  let proxy: FaultProxy;

  beforeAll(async () => {
    const target = new URL(postgres.url());
    proxy = await FaultProxy.start(target.hostname, Number(target.port || 5432));
    const setup = postgres.engine(postgres.url());
    await sql`create table if not exists notes (id integer primary key, body text not null)`.execute(setup.db);
    await setup.dispose();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /** A one-connection engine through the proxy, warmed; `stall()` then freezes that connection, `relayed()` is it. */
  async function engineThroughProxy(applicationName: string, options: EngineOptions) {
    const engine = postgres.engine(withApplicationName(proxy.rewrite(postgres.url()), applicationName), {
      ...options,
      pool: { size: 1, maxOverflow: 0, ...options.pool },
    });
    const disconnects: DisconnectReason[] = [];
    engine.on("disconnect", ({ reason }) => disconnects.push(reason));
    await sql`select 1`.execute(engine.db);
    const relayed = (): ProxiedConnection => {
      const [connection, ...others] = proxy.matching(applicationName);
      expect(others).toEqual([]);
      return connection!;
    };
    const stall = (): void => relayed().stall();
    return { engine, disconnects, stall, relayed };
  }

  it("a statement with no answer fails with ConnectionLostError after queryTimeoutMillis; the connection is destroyed and the pool serves the next one", async () => {
    // statementTimeoutMillis is set too: the server enforces it, and this server does not answer.
    const { engine, disconnects, stall } = await engineThroughProxy("athanor-query-timeout", {
      postgres: { statementTimeoutMillis: 100, queryTimeoutMillis: 300 },
    });
    stall();
    const error = await sql`select 1`.execute(engine.db).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toContain("queryTimeoutMillis (300 ms)");
    await waitUntil("the silent connection's disconnect event", () => disconnects.length === 1);
    expect(disconnects).toEqual(["error"]);
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, destroyed: 1 });
    expect((await sql<{ n: number }>`select 2 as n`.execute(engine.db)).rows).toEqual([{ n: 2 }]);
  });

  it("a COMMIT with no answer fails with CommitOutcomeUnknownError", async () => {
    const { engine, stall } = await engineThroughProxy("athanor-commit-timeout", { postgres: { queryTimeoutMillis: 300 } });
    const session = createSessionFactory(engine).open();
    try {
      await session.insertInto("notes").values({ id: 1, body: "maybe" }).execute();
      stall();
      await expect(session.commit()).rejects.toBeInstanceOf(CommitOutcomeUnknownError);
    } finally {
      await session.close();
    }
    expect(engine.pool.status().checkedOut).toBe(0);
  });

  it("a health check that times out destroys its connection instead of keeping it (the pool is not left saturated)", async () => {
    const { engine, disconnects, stall } = await engineThroughProxy("athanor-health-timeout", {
      healthCheckTimeoutMillis: 300,
      pool: { acquireTimeoutMillis: 2_000 },
    });
    stall();
    const report = await engine.healthCheck();
    expect(report).toMatchObject({ status: "error" });
    expect(report.message).toContain("timed out after 300 ms");
    await waitUntil("the probe's connection to be destroyed", () => disconnects.length === 1);
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, destroyed: 1 });
    // Size 1: had the probe kept its connection, this would wait for it and time out.
    expect((await sql<{ n: number }>`select 3 as n`.execute(engine.db)).rows).toEqual([{ n: 3 }]);
    expect((await engine.healthCheck()).status).toBe("ok");
  });

  it("a connection reset in the middle of an answer fails that statement with ConnectionLostError, and the next one gets a new connection", async () => {
    const { engine, disconnects, relayed } = await engineThroughProxy("athanor-reset-mid-answer", { postgres: { queryTimeoutMillis: 5_000 } });
    // The request (well under 1000 bytes) gets through; the 10 000-byte answer does not.
    relayed().resetAfterBytes(1_000);
    await expect(sql`select repeat('x', 10000) as text`.execute(engine.db)).rejects.toBeInstanceOf(ConnectionLostError);
    await waitUntil("the reset connection's disconnect event", () => disconnects.length === 1);
    expect(disconnects).toEqual(["error"]);
    const { rows } = await sql<{ length: number }>`select length(repeat('x', 10000)) as length`.execute(engine.db);
    expect(rows).toEqual([{ length: 10_000 }]);
  });

  it("a slow link is not a dead one: statements answered within queryTimeoutMillis succeed on the same connection", async () => {
    const { engine, disconnects, relayed } = await engineThroughProxy("athanor-slow-link", { postgres: { queryTimeoutMillis: 2_000 } });
    relayed().delay(50);
    for (let i = 0; i < 3; i++) expect((await sql<{ n: number }>`select ${i}::int as n`.execute(engine.db)).rows).toEqual([{ n: i }]);
    await createSessionFactory(engine).run((db) => db.insertInto("notes").values({ id: 10, body: "slow but sure" }).execute());
    expect(disconnects).toEqual([]);
    expect(engine.pool.status()).toMatchObject({ created: 1, destroyed: 0 });
  });

  it("defaults queryTimeoutMillis to statementTimeoutMillis + 5 s, or off without one; 0 turns it off", () => {
    const options = (postgresOptions: EngineOptions["postgres"]) => postgres.engine(postgres.url(), { postgres: postgresOptions }).options.postgres;
    expect(options({}).queryTimeoutMillis).toBe(0);
    expect(options({ statementTimeoutMillis: 30_000 }).queryTimeoutMillis).toBe(35_000);
    expect(options({ statementTimeoutMillis: 30_000, queryTimeoutMillis: 0 }).queryTimeoutMillis).toBe(0);
    expect(options({ queryTimeoutMillis: 1_000 }).queryTimeoutMillis).toBe(1_000);
    expect(() => options({ queryTimeoutMillis: -1 })).toThrow(/options\.postgres\.queryTimeoutMillis/);
    expect(() => options({ keepAliveIdleMillis: 1.5 })).toThrow(/options\.postgres\.keepAliveIdleMillis/);
  });

  it.skipIf(!hasSs())("turns TCP keepalive on, probing after keepAliveIdleMillis of silence", async () => {
    const engine = postgres.engine(postgres.url(), { pool: { size: 1 }, postgres: { keepAliveIdleMillis: 7_000 } });
    const connection = (await engine.backend.pool.acquire()) as PostgresConnection;
    try {
      const port = (connection.client as unknown as { connection: { stream: { localPort: number } } }).connection.stream.localPort;
      // `ss -o` shows the socket's timer: `timer:(keepalive,6.9sec,0)` once keepalive is on.
      const line = execFileSync("ss", ["-tnoH", "state", "established", `( sport = :${port} )`], { encoding: "utf8" });
      const seconds = /timer:\(keepalive,(?:(\d+)min)?([\d.]+)(?:sec|ms)/.exec(line);
      expect(seconds, line).not.toBeNull();
      expect(Number(seconds![1] ?? 0) * 60 + Number(seconds![2])).toBeLessThanOrEqual(7);
    } finally {
      await engine.backend.pool.release(connection);
    }
  });
});

function hasSs(): boolean {
  try {
    execFileSync("ss", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
