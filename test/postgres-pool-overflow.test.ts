import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import type { Engine, EngineOptions } from "../src/index.js";
import type { DisconnectReason } from "../src/engine/engine-events.js";
import type { PostgresConnection } from "../src/backends/postgres/postgres-connection.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";
import { waitUntil } from "./support/wait-until.js";

const SIZE = 2;
const MAX_OVERFLOW = 3;

describe.skipIf(postgresUnavailable)("PostgreSQL pool: overflow", () => {
  const postgres = postgresSuite();
  let engine: Engine;
  let disconnects: DisconnectReason[];

  function overflowEngine(overflowIdleMillis: number, pool: EngineOptions["pool"] = {}): Engine {
    const reasons: DisconnectReason[] = [];
    disconnects = reasons;
    engine = postgres.engine(postgres.url(), { pool: { size: SIZE, maxOverflow: MAX_OVERFLOW, overflowIdleMillis, ...pool } });
    engine.on("disconnect", ({ reason }) => reasons.push(reason));
    return engine;
  }

  /** Holds `count` connections through engine.db.connection() until `release()` is called. */
  async function holdConnections(count: number) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let inside = 0;
    let allInside!: () => void;
    const everyoneIn = new Promise<void>((resolve) => (allInside = resolve));
    const pids: number[] = [];
    const holders = Array.from({ length: count }, () =>
      engine.db.connection().execute(async (db) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
        pids.push(rows[0]!.pid);
        if (++inside === count) allInside();
        await released;
      }),
    );
    await everyoneIn;
    return {
      pids,
      release: async () => {
        release();
        await Promise.all(holders);
      },
    };
  }

  it("opens up to size + maxOverflow connections under concurrent checkouts", async () => {
    overflowEngine(10_000);
    const held = await holdConnections(SIZE + MAX_OVERFLOW);
    expect(new Set(held.pids).size).toBe(SIZE + MAX_OVERFLOW);
    expect(engine.pool.status()).toMatchObject({ size: SIZE, total: 5, checkedOut: 5, idle: 0, overflow: MAX_OVERFLOW, waiting: 0 });

    // One more waits instead of opening a sixth connection.
    const sixth = sql<{ n: number }>`select 6 as n`.execute(engine.db);
    await waitUntil("the sixth checkout to queue", () => engine.pool.status().waiting === 1);
    expect(engine.pool.status()).toMatchObject({ total: 5, overflow: MAX_OVERFLOW });

    await held.release();
    expect((await sixth).rows).toEqual([{ n: 6 }]);
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0, created: 5 });
  });

  it("closes overflow connections once they sat idle for overflowIdleMillis, keeping size open", async () => {
    overflowEngine(200);
    const held = await holdConnections(SIZE + MAX_OVERFLOW);
    await held.release();
    expect(engine.pool.status()).toMatchObject({ total: 5, idle: 5, overflow: MAX_OVERFLOW });

    await waitUntil("the overflow connections to close", () => engine.pool.status().total === SIZE);
    await waitUntil("their disconnect events", () => disconnects.length === MAX_OVERFLOW);
    expect(engine.pool.status()).toMatchObject({ total: SIZE, idle: SIZE, overflow: 0, destroyed: MAX_OVERFLOW });
    expect(disconnects).toEqual(["overflow", "overflow", "overflow"]);
    const { rows } = await sql<{ n: number }>`select 1 as n`.execute(engine.db);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it("with overflowIdleMillis 0, closes overflow connections as soon as they return and nobody waits", async () => {
    overflowEngine(0);
    const held = await holdConnections(SIZE + MAX_OVERFLOW);
    await held.release();
    expect(engine.pool.status()).toMatchObject({ total: SIZE, idle: SIZE, overflow: 0, checkedOut: 0 });
    await waitUntil("the disconnect events", () => disconnects.length === MAX_OVERFLOW);
    expect(disconnects).toEqual(["overflow", "overflow", "overflow"]);
  });

  it("with overflowIdleMillis 0, hands a returned overflow connection to a waiter instead of closing it", async () => {
    overflowEngine(0, { acquireTimeoutMillis: 5_000 });
    const connections = (await Promise.all(
      Array.from({ length: SIZE + MAX_OVERFLOW }, () => engine.backend.pool.acquire()),
    )) as PostgresConnection[];
    const waiter = engine.backend.pool.acquire();
    await waitUntil("the waiter to queue", () => engine.pool.status().waiting === 1);

    await engine.backend.pool.release(connections[0]!);
    const handedOver = (await waiter) as PostgresConnection;
    expect(handedOver).toBe(connections[0]);
    expect(engine.pool.status()).toMatchObject({ total: 5, checkedOut: 5, destroyed: 0 });

    for (const connection of [handedOver, ...connections.slice(1)]) await engine.backend.pool.release(connection);
    expect(engine.pool.status()).toMatchObject({ total: SIZE, checkedOut: 0 });
  });
});
