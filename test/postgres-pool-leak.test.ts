import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import type { Engine } from "../src/index.js";
import type { EngineEvents } from "../src/engine/engine-events.js";
import type { LogRecord } from "../src/engine/log-record.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";
import { sleep, waitUntil } from "./support/wait-until.js";

describe.skipIf(postgresUnavailable)("PostgreSQL pool: leak detection", () => {
  const postgres = postgresSuite();
  let engine: Engine;
  let leaks: Array<EngineEvents["leak"]>;
  let warnings: LogRecord[];

  function leakDetectingEngine(): Engine {
    leaks = [];
    warnings = [];
    engine = postgres.engine(postgres.url(), {
      pool: { size: 2, leakDetectionMillis: 100 },
      log: (record) => {
        if (record.level === "warn") warnings.push(record);
      },
    });
    engine.on("leak", (event) => leaks.push(event));
    return engine;
  }

  it("reports a checkout held past leakDetectionMillis once, with the stack that took it", async () => {
    leakDetectingEngine();
    await sql`select 1`.execute(engine.db);
    await engine.db.connection().execute(async (db) => {
      await sql`select 1`.execute(db);
      // Held for 300 ms, and until the detector has seen it (timers run late on a loaded machine).
      await Promise.all([sleep(300), waitUntil("the leak event", () => leaks.length > 0)]);
    });

    expect(leaks).toHaveLength(1);
    expect(leaks[0]!.ageMillis).toBeGreaterThanOrEqual(100);
    expect(leaks[0]!.stack).toContain("postgres-pool-leak.test.ts");
    const leakWarnings = warnings.filter((record) => record.event === "leak");
    expect(leakWarnings).toHaveLength(1);
    expect(leakWarnings[0]!.message).toContain("postgres-pool-leak.test.ts");
  });

  it("reports nothing for connections returned quickly", async () => {
    leakDetectingEngine();
    for (let i = 0; i < 5; i++) await sql`select 1`.execute(engine.db);
    await engine.db.connection().execute((db) => sql`select 1`.execute(db));
    // Several scans of the detector (every leakDetectionMillis / 4) pass with nothing checked out.
    await sleep(150);

    expect(leaks).toEqual([]);
    expect(warnings.filter((record) => record.event === "leak")).toEqual([]);
  });

  it("reports a connection still checked out, while it is still out", async () => {
    leakDetectingEngine();
    await sql`select 1`.execute(engine.db);
    const leaked = await engine.backend.pool.acquire();
    try {
      await waitUntil("the leak event", () => leaks.length > 0);
      expect(leaks[0]!.stack).toContain("postgres-pool-leak.test.ts");
      expect(engine.pool.status().checkedOut).toBe(1);
    } finally {
      await engine.backend.pool.release(leaked);
    }
  });
});
