import { sql, type Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import type { Engine } from "../src/index.js";
import type { DisconnectReason } from "../src/engine/engine-events.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";
import { sleep, waitUntil } from "./support/wait-until.js";

const RECYCLE_MILLIS = 100;

describe.skipIf(postgresUnavailable)("PostgreSQL pool: recycle", () => {
  const postgres = postgresSuite();
  let engine: Engine;
  let disconnects: DisconnectReason[];

  function recyclingEngine(recycleMillis: number): Engine {
    const reasons: DisconnectReason[] = [];
    disconnects = reasons;
    engine = postgres.engine(postgres.url(), { pool: { size: 2, maxOverflow: 0, recycleMillis } });
    engine.on("disconnect", ({ reason }) => reasons.push(reason));
    return engine;
  }

  async function backendPid(db: Kysely<any>): Promise<number> {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    return rows[0]!.pid;
  }

  it("replaces an idle connection older than recycleMillis at its next checkout", async () => {
    recyclingEngine(RECYCLE_MILLIS);
    const first = await backendPid(engine.db);
    await sleep(RECYCLE_MILLIS + 50);
    const second = await backendPid(engine.db);

    expect(second).not.toBe(first);
    await waitUntil("the recycled connection's disconnect event", () => disconnects.length === 1);
    expect(disconnects).toEqual(["recycle"]);
    expect(engine.pool.status()).toMatchObject({ total: 1, created: 2, destroyed: 1 });
  });

  it("closes a connection that aged past recycleMillis while checked out when it is returned", async () => {
    recyclingEngine(RECYCLE_MILLIS);
    const pid = await engine.db.connection().execute(async (db) => {
      const inside = await backendPid(db);
      await sleep(RECYCLE_MILLIS + 50);
      // Still usable by its holder: recycling never pulls a connection from under a checkout.
      expect(await backendPid(db)).toBe(inside);
      return inside;
    });
    expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0 });
    await waitUntil("the recycled connection's disconnect event", () => disconnects.length === 1);
    expect(disconnects).toEqual(["recycle"]);
    expect(await backendPid(engine.db)).not.toBe(pid);
  });

  it("never fails a query while connections are recycled under concurrent load", async () => {
    recyclingEngine(30);
    const pids = new Set<number>();
    const failures: unknown[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 8; i++) {
          try {
            const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.01)`.execute(engine.db);
            pids.add(rows[0]!.pid);
          } catch (error) {
            failures.push(error);
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    // 4 workers × 8 queries of ≥ 10 ms on 2 connections take ≥ 160 ms: each connection outlived 30 ms.
    expect(pids.size).toBeGreaterThan(2);
    await waitUntil("disconnect events", () => disconnects.length >= pids.size - 2);
    expect(new Set(disconnects)).toEqual(new Set(["recycle"]));
  });

  it("keeps connections when recycleMillis is 0", async () => {
    recyclingEngine(0);
    const first = await backendPid(engine.db);
    await sleep(RECYCLE_MILLIS + 50);
    expect(await backendPid(engine.db)).toBe(first);
    expect(disconnects).toEqual([]);
  });
});
