import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, createSessionFactory } from "athanor";
import { useSandbox } from "athanor/testing";
import { buildApp } from "../src/build-app.js";
import { schema } from "../src/schema.js";
import { factories } from "./support/factories.js";
import { DIALECTS, useMigratedDatabase } from "./support/migrated-database.js";
import { useTestApp } from "./support/test-app.js";

describe.each(DIALECTS)("health, readiness and the development reset [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  const calls: string[] = [];
  const background = { pause: async () => void calls.push("pause"), resume: () => void calls.push("resume") };
  const api = useTestApp(sandbox, { background }); // readiness checks the service's migrations
  let environment: string | undefined;
  beforeEach(() => {
    environment = process.env.ENVIRONMENT;
    calls.length = 0;
  });
  afterEach(() => {
    if (environment === undefined) delete process.env.ENVIRONMENT;
    else process.env.ENVIRONMENT = environment;
  });

  it("GET /health: liveness, with the database and pool report", async () => {
    const health = await api.request("GET", "/health");
    expect(health).toMatchObject({ status: 200, body: { status: "ok", dialect: dialect === "sqlite" ? "sqlite" : "postgres" } });
    expect(health.body.pool).toMatchObject({ waiting: 0 });
  });

  it("GET /health/ready: ready once the database is at the migrations' head", async () => {
    const ready = await api.request("GET", "/health/ready");
    expect(ready).toMatchObject({ status: 200, body: { status: "ready", migrations: { ok: true, message: "at head" } } });
  });

  it("POST /admin/reset-database is 403 outside development, and touches nothing", async () => {
    await factories.users.create(sandbox.db);
    for (const value of [undefined, "production", "Development"]) {
      if (value === undefined) delete process.env.ENVIRONMENT;
      else process.env.ENVIRONMENT = value;
      expect(await api.request("POST", "/admin/reset-database")).toMatchObject({ status: 403, body: { code: "RESET_REFUSED" } });
    }
    expect(await sandbox.db.selectFrom("users").selectAll().execute()).toHaveLength(1);
    expect(calls).toEqual([]); // the scheduler was never paused for a refused reset
  });

  it("POST /admin/reset-database in development drops and recreates every table, with the scheduler paused meanwhile", async () => {
    process.env.ENVIRONMENT = "development";
    await factories.messages.create(sandbox.db);
    const reset = await api.request("POST", "/admin/reset-database");
    expect(reset).toMatchObject({ status: 200, body: { status: "reset" } });
    expect(reset.body.tables).toEqual(expect.arrayContaining(["users", "agents", "agent_runs", "conversation_memory"]));
    expect(await sandbox.db.selectFrom("messages").selectAll().execute()).toEqual([]);
    expect(calls).toEqual(["pause", "resume"]);
  });
});

describe("readiness of a database behind its migrations", () => {
  it("answers 503 with the migrations' state", async () => {
    const engine = createEngine("sqlite::memory:", { schema });
    const app = buildApp({ sessions: createSessionFactory(engine) });
    try {
      const ready = await app.inject("/health/ready");
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: "not ready", migrations: { ok: false, heads: [] } });
    } finally {
      await app.close();
      await engine.dispose();
    }
  });
});
