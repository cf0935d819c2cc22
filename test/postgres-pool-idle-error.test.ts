import { CompiledQuery, sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectionLostError, type Engine } from "../src/index.js";
import type { DisconnectReason, EngineEvents } from "../src/engine/engine-events.js";
import { databaseOf, PostgresAdmin, postgresUnavailable, withApplicationName } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";
import { waitUntil } from "./support/wait-until.js";

const APPLICATION_NAME = "athanor-idle-error";

describe.skipIf(postgresUnavailable)("PostgreSQL pool: connection errors outside a query", () => {
  const postgres = postgresSuite();
  let admin: PostgresAdmin;
  let engine: Engine;
  let errors: Array<EngineEvents["error"]>;
  let disconnects: DisconnectReason[];
  let uncaught: unknown[];
  const onUncaught = (error: unknown): void => void uncaught.push(error);

  beforeAll(async () => {
    admin = await PostgresAdmin.open();
  });
  beforeEach(() => {
    uncaught = [];
    process.on("uncaughtException", onUncaught);
    process.on("unhandledRejection", onUncaught);
    const seen: Array<EngineEvents["error"]> = [];
    const reasons: DisconnectReason[] = [];
    errors = seen;
    disconnects = reasons;
    engine = postgres.engine(withApplicationName(postgres.url(), APPLICATION_NAME), { pool: { size: 3, maxOverflow: 0 } });
    engine.on("error", (event) => seen.push(event));
    engine.on("disconnect", ({ reason }) => reasons.push(reason));
  });
  afterEach(() => {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
  });
  afterAll(async () => {
    await admin?.close();
  });

  it("reports an idle connection's error once as an engine error event, never as an uncaught exception", async () => {
    const warm = await Promise.all([1, 2, 3].map(() => engine.backend.pool.acquire()));
    await Promise.all(warm.map((connection) => engine.backend.pool.release(connection)));

    expect(await admin.terminateIdle(databaseOf(postgres.url()), APPLICATION_NAME)).toBe(3);
    await waitUntil("the pool to drop the terminated connections", () => engine.pool.status().destroyed === 3);

    expect(uncaught).toEqual([]);
    expect(errors).toHaveLength(3);
    for (const { error, sql } of errors) {
      expect(error).toBeInstanceOf(ConnectionLostError);
      expect(sql).toBeUndefined();
    }
    expect(disconnects).toEqual(["error", "error", "error"]);
    expect(engine.pool.status()).toMatchObject({ total: 0, idle: 0, checkedOut: 0 });

    // Without pre-ping: the pool already dropped them, so nothing fails.
    const { rows } = await sql<{ n: number }>`select 1 as n`.execute(engine.db);
    expect(rows).toEqual([{ n: 1 }]);
    expect(uncaught).toEqual([]);
  });

  it("marks a checked-out connection whose backend died broken, fails its next query and destroys it on release", async () => {
    const connection = await engine.backend.pool.acquire();
    const { rows } = await connection.executeQuery<{ pid: number }>(CompiledQuery.raw("select pg_backend_pid() as pid"));
    const pid = rows[0]!.pid;

    expect(await admin.terminate(databaseOf(postgres.url()), APPLICATION_NAME, [pid])).toBe(1);
    await waitUntil("the connection error event", () => errors.length > 0);
    expect(uncaught).toEqual([]);

    await expect(connection.executeQuery(CompiledQuery.raw("select 1"))).rejects.toBeInstanceOf(ConnectionLostError);
    await engine.backend.pool.release(connection);
    await waitUntil("the broken connection's disconnect event", () => disconnects.length === 1);

    expect(disconnects).toEqual(["error"]);
    const connectionErrors = errors.filter((event) => event.sql === undefined);
    expect(connectionErrors).toHaveLength(1);
    expect(connectionErrors[0]!.error).toBeInstanceOf(ConnectionLostError);
    expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0, destroyed: 1 });

    const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(engine.db);
    expect(after.rows[0]!.pid).not.toBe(pid);
    expect(engine.pool.status()).toMatchObject({ total: 1, checkedOut: 0, idle: 1 });
    expect(uncaught).toEqual([]);
  });
});
