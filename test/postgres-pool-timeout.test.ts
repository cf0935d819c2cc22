import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { PoolTimeoutError, type Engine } from "../src/index.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";

describe.skipIf(postgresUnavailable)("PostgreSQL pool: acquire timeout", () => {
  const postgres = postgresSuite();
  let engine: Engine;

  function exhaustedEngine(): Engine {
    engine = postgres.engine(postgres.url(), { pool: { size: 1, maxOverflow: 0, acquireTimeoutMillis: 300 } });
    return engine;
  }

  it("rejects with PoolTimeoutError naming the pool status and the leaked checkout's age and site", async () => {
    exhaustedEngine();
    const leaked = await engine.backend.pool.acquire();
    const error = await sql`select 1`.execute(engine.db).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(PoolTimeoutError);
    const timeout = error as PoolTimeoutError;
    expect(timeout.code).toBe("POOL_TIMEOUT");
    expect(timeout.message).toMatch(/size=1 total=1 checkedOut=1 idle=0 overflow=0 waiting=\d+/);
    expect(timeout.message).toMatch(/held \d+ ms/);
    expect(timeout.message).toContain("postgres-pool-timeout.test.ts");
    expect(timeout.status).toMatchObject({ size: 1, total: 1, checkedOut: 1 });
    expect(engine.pool.status().timeouts).toBe(1);

    await engine.backend.pool.release(leaked);
    const { rows } = await sql<{ n: number }>`select 1 as n`.execute(engine.db);
    expect(rows).toEqual([{ n: 1 }]);
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, timeouts: 1 });
  });

  it("names the site of a checkout held through engine.db.connection()", async () => {
    exhaustedEngine();
    // Kysely awaits its driver's init on the very first checkout, which cuts the synchronous stack.
    await sql`select 1`.execute(engine.db);
    let releaseHeld!: () => void;
    const holding = new Promise<void>((resolve) => (releaseHeld = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const held = engine.db.connection().execute(async () => {
      entered();
      await holding;
    });
    await inside;
    try {
      const error = await engine.db.connection().execute(() => Promise.resolve()).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(PoolTimeoutError);
      expect((error as Error).message).toMatch(/held \d+ ms/);
      expect((error as Error).message).toContain("postgres-pool-timeout.test.ts");
      expect(engine.pool.status().timeouts).toBe(1);
    } finally {
      releaseHeld();
      await held;
    }
  });
});
