// What `npm start` does before serving: read the configuration, check the connection budget,
// migrate to head, seed an empty database once.
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createEngine } from "athanor";
import { createTestDatabase } from "athanor/testing";
import { checkConnectionBudget } from "../src/database/check-connection-budget.js";
import { ConnectionBudgetError } from "../src/database/connection-budget-error.js";
import { createDatabase } from "../src/database/create-database.js";
import { prepareDatabase } from "../src/database/prepare-database.js";
import { DEMO } from "../src/demo-fixtures.js";
import { schema } from "../src/schema.js";
import { readServiceConfig } from "../src/service-config.js";
import { DIALECTS } from "./support/migrated-database.js";

describe("service configuration", () => {
  it("defaults to the embedded SQLite file, one worker, and reads --workers or WORKERS", () => {
    expect(readServiceConfig({}, [])).toMatchObject({ databaseUrl: "sqlite:./data/agent-platform.db", host: "127.0.0.1", port: 3000, workers: 1, poolSize: 10, poolMaxOverflow: 10, schedulerEnabled: true });
    expect(readServiceConfig({ WORKERS: "3" }, []).workers).toBe(3);
    expect(readServiceConfig({ WORKERS: "3" }, ["--workers", "2"]).workers).toBe(2); // npm start -- --workers 2
    expect(readServiceConfig({ SCHEDULER: "off", DATABASE_URL: "postgres://db/app" }, [])).toMatchObject({ schedulerEnabled: false, databaseUrl: "postgres://db/app" });
  });

  it("refuses malformed values by name before anything starts", () => {
    expect(() => readServiceConfig({ WORKERS: "two" }, [])).toThrow(/--workers \/ WORKERS must be an integer from 1 to 64, got "two"/);
    expect(() => readServiceConfig({ POOL_SIZE: "0" }, [])).toThrow(/POOL_SIZE/);
    expect(() => readServiceConfig({}, ["--wrokers", "2"])).toThrow(/wrokers/);
  });

  it.runIf(DIALECTS.includes("postgres"))("names the service's PostgreSQL connections (application_name) unless the URL does", async () => {
    const database = await createTestDatabase("postgres");
    try {
      const nameOf = async (url: string) => {
        const { engine } = createDatabase({ ...readServiceConfig({ DATABASE_URL: url }, []), applicationName: "agent-platform/worker-1" });
        try {
          return (await sql<{ name: string }>`select current_setting('application_name') as name`.execute(engine.db)).rows[0]!.name;
        } finally {
          await engine.dispose();
        }
      };
      expect(await nameOf(database.url)).toBe("agent-platform/worker-1");
      expect(await nameOf(`${database.url}${database.url.includes("?") ? "&" : "?"}application_name=mine`)).toBe("mine");
    } finally {
      await database.drop();
    }
  });
});

describe.runIf(DIALECTS.includes("postgres"))("connection budget [postgres]", () => {
  it("passes when workers × (size + overflow) + headroom fits max_connections, and fails at start with the numbers otherwise", async () => {
    const database = await createTestDatabase("postgres");
    const engine = createEngine(database.url);
    try {
      const budget = await checkConnectionBudget(engine, { workers: 2, poolSize: 10, poolMaxOverflow: 10, headroom: 5 });
      expect(budget).toMatchObject({ required: 45, perWorker: 20 });
      expect(budget!.available).toBeLessThan(budget!.maxConnections);
      const refused = await checkConnectionBudget(engine, { workers: 64, poolSize: 10, poolMaxOverflow: 20, headroom: 5 }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConnectionBudgetError);
      expect((refused as Error).message).toMatch(/64 worker\(s\) × \(pool size 10 \+ max overflow 20\) \+ 5 headroom = 1925 connections, but the server allows \d+ \(max_connections \d+ − \d+ reserved/);
    } finally {
      await engine.dispose();
      await database.drop();
    }
  });
});

describe("start-up", () => {
  it("SQLite has no connection limit to check", async () => {
    const engine = createEngine("sqlite::memory:");
    expect(await checkConnectionBudget(engine, { workers: 64, poolSize: 1_000, poolMaxOverflow: 1_000, headroom: 0 })).toBeUndefined();
    await engine.dispose();
  });

  it("migrates a new database to head and seeds the demo once; a second start changes nothing", async () => {
    const database = await createTestDatabase("sqlite-file");
    const config = readServiceConfig({ DATABASE_URL: database.url }, []);
    try {
      expect(await prepareDatabase(config)).toMatchObject({ budget: undefined, applied: expect.arrayContaining(["d159e9001b9e", "b841aa6afc69"]), seeded: true });
      expect(await prepareDatabase(config)).toEqual({ budget: undefined, applied: [], seeded: false });
      const engine = createEngine(database.url, { schema });
      expect(await engine.db.selectFrom("squads").select("id").where("id", "=", DEMO.coreSquad).executeTakeFirst()).toEqual({ id: DEMO.coreSquad });
      await engine.dispose();
    } finally {
      await database.drop();
    }
  });

  it.runIf(DIALECTS.includes("postgres"))("refuses to start on PostgreSQL when the pools would exceed max_connections, before migrating", async () => {
    const database = await createTestDatabase("postgres");
    try {
      const config = readServiceConfig({ DATABASE_URL: database.url, WORKERS: "64", POOL_SIZE: "50" }, []);
      await expect(prepareDatabase(config)).rejects.toBeInstanceOf(ConnectionBudgetError);
      const engine = createEngine(database.url);
      const { sql } = await import("kysely");
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(engine.db);
      expect(rows[0]!.n).toBe(0); // nothing was migrated
      await engine.dispose();
    } finally {
      await database.drop();
    }
  });
});
