import { CompiledQuery, sql } from "kysely";
import pg from "pg";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEngine, DatabaseError, type Engine } from "../src/index.js";
import type { BackendConnection } from "../src/backends/backend.js";
import type { DisconnectReason } from "../src/engine/engine-events.js";
import type { LogRecord } from "../src/engine/log-record.js";
import { FaultProxy } from "./support/fault-proxy.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";
import { waitUntil } from "./support/wait-until.js";

describe.skipIf(postgresUnavailable)("PostgreSQL pool: connections returned inside a transaction", () => {
  const postgres = postgresSuite();
  let engine: Engine;
  let warnings: LogRecord[];
  let disconnects: DisconnectReason[];

  beforeAll(async () => {
    const setup = createEngine(postgres.url());
    await sql`create table items (id serial primary key, label text not null)`.execute(setup.db);
    await setup.dispose();
  });
  // Before each test rather than after: the previous test's engines are disposed by then, so a
  // transaction a failed test left open cannot block the truncate.
  beforeEach(async () => {
    const cleanup = createEngine(postgres.url());
    await sql`truncate items`.execute(cleanup.db);
    await cleanup.dispose();
  });

  function singleConnectionEngine(url = postgres.url()): Engine {
    const records: LogRecord[] = [];
    const reasons: DisconnectReason[] = [];
    warnings = records;
    disconnects = reasons;
    engine = postgres.engine(url, {
      pool: { size: 1, maxOverflow: 0 },
      log: (record) => {
        if (record.level === "warn") records.push(record);
      },
    });
    engine.on("disconnect", ({ reason }) => reasons.push(reason));
    return engine;
  }

  function run(connection: BackendConnection, statement: string) {
    return connection.executeQuery<Record<string, unknown>>(CompiledQuery.raw(statement));
  }

  async function countItems(): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from items`.execute(engine.db);
    return rows[0]!.n;
  }

  it("rolls back an open transaction on return, so the next checkout starts clean", async () => {
    singleConnectionEngine();
    const dirty = await engine.backend.pool.acquire();
    await dirty.begin({});
    await run(dirty, "insert into items (label) values ('never committed')");
    expect(dirty.inTransaction).toBe(true);
    await engine.backend.pool.release(dirty);

    const next = await engine.backend.pool.acquire();
    try {
      expect(next).toBe(dirty);
      expect(next.inTransaction).toBe(false);
      expect((await run(next, "select count(*)::int as n from items")).rows).toEqual([{ n: 0 }]);
    } finally {
      await engine.backend.pool.release(next);
    }
    expect(warnings.filter((record) => record.event === "dirty")).toHaveLength(1);
    expect(disconnects).toEqual([]);
    expect(await countItems()).toBe(0);
  });

  it("rolls back a failed (aborted) transaction on return", async () => {
    singleConnectionEngine();
    const dirty = await engine.backend.pool.acquire();
    await dirty.begin({});
    await run(dirty, "insert into items (label) values ('doomed')");
    await expect(run(dirty, "select * from no_such_table")).rejects.toBeInstanceOf(DatabaseError);
    await engine.backend.pool.release(dirty);

    expect(await countItems()).toBe(0);
    expect(warnings.filter((record) => record.event === "dirty")).toHaveLength(1);
    expect(engine.pool.status()).toMatchObject({ total: 1, destroyed: 0 });
  });

  it("destroys the connection when the rollback itself fails", async () => {
    const target = new URL(postgres.url());
    const proxy = await FaultProxy.start(target.hostname, Number(target.port || 5432));
    try {
      singleConnectionEngine(proxy.rewrite(postgres.url()));
      const dirty = await engine.backend.pool.acquire();
      await dirty.begin({});
      await run(dirty, "insert into items (label) values ('lost with its connection')");
      proxy.halfOpenAll();
      await engine.backend.pool.release(dirty);

      await waitUntil("the dirty connection's disconnect event", () => disconnects.length === 1);
      expect(disconnects).toEqual(["dirty"]);
      expect(warnings.filter((record) => record.event === "dirty")).toHaveLength(1);
      expect(await countItems()).toBe(0);
      expect(engine.pool.status()).toMatchObject({ total: 1, created: 2, destroyed: 1 });
    } finally {
      await engine.dispose();
      await proxy.close();
    }
  });

  it("is needed: plain pg.Pool hands the same client back still inside the transaction", async () => {
    const pool = new pg.Pool({ connectionString: postgres.url(), max: 1 });
    try {
      const first = await pool.connect();
      await first.query("begin");
      await first.query("insert into items (label) values ('leaked into the next user')");
      first.release();

      const second = await pool.connect();
      try {
        expect(second).toBe(first);
        expect(second.getTransactionStatus()).toBe("T");
        // The next user sees the previous user's uncommitted row, and its commit makes it permanent.
        expect((await second.query("select count(*)::int as n from items")).rows).toEqual([{ n: 1 }]);
        await second.query("commit");
      } finally {
        second.release();
      }
    } finally {
      await pool.end();
    }
    singleConnectionEngine();
    expect(await countItems()).toBe(1);
  });
});
