import { inspect } from "node:util";
import { sql } from "kysely";
import { afterEach, expect, it, vi } from "vitest";
import { parseDatabaseUrl } from "../src/engine/database-url.js";
import type { EngineEvents } from "../src/engine/engine-events.js";
import type { LogRecord } from "../src/engine/log-record.js";
import { AthanorError, ConnectionFailedError, UniqueViolationError } from "../src/errors.js";
import { testPostgresUrl } from "../src/testing/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { engineFactory, rejection } from "./support/engines.js";

const SECRET_PARAMETER = "parameter-value-7d1f";

describeEachDialect("engine logging and events", (ctx) => {
  const open = engineFactory();
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("log receives query records with sql and durationMillis, without parameters by default", async () => {
    const records: LogRecord[] = [];
    const engine = open(ctx.url(), { log: (record) => records.push(record) });
    await engine.db.selectNoFrom(sql<string>`${SECRET_PARAMETER}`.as("value")).execute();
    const queries = records.filter((record) => record.event === "query");
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({ level: "debug", sql: expect.stringMatching(/^select /) });
    expect(queries[0]!.durationMillis).toBeGreaterThanOrEqual(0);
    expect(queries[0]!.parameters).toBeUndefined();
    expect(JSON.stringify(records)).not.toContain(SECRET_PARAMETER);
    expect(records.map((record) => record.message).join("\n")).not.toContain(SECRET_PARAMETER);
  });

  it("logParameters: true adds the bound parameters to records and query events", async () => {
    const records: LogRecord[] = [];
    const events: Array<EngineEvents["query"]> = [];
    const engine = open(ctx.url(), { log: (record) => records.push(record), logParameters: true });
    engine.on("query", (event) => events.push(event));
    await engine.db.selectNoFrom(sql<string>`${SECRET_PARAMETER}`.as("value")).execute();
    expect(records.find((record) => record.event === "query")!.parameters).toEqual([SECRET_PARAMETER]);
    expect(events[0]!.parameters).toEqual([SECRET_PARAMETER]);
  });

  it("a failing statement is logged with level error and the typed error", async () => {
    const records: LogRecord[] = [];
    const engine = open(await ctx.freshUrl(), { log: (record) => records.push(record) });
    await sql`create table users (email text primary key)`.execute(engine.db);
    await engine.db.insertInto("users").values({ email: SECRET_PARAMETER }).execute();
    records.length = 0;
    const thrown = await rejection(engine.db.insertInto("users").values({ email: SECRET_PARAMETER }).execute());
    expect(thrown).toBeInstanceOf(UniqueViolationError);
    // Logged once, not once per layer that saw it.
    const errors = records.filter((record) => record.level === "error");
    expect(errors).toHaveLength(1);
    for (const record of errors) {
      expect(record.error).toBe(thrown);
      expect(record.sql).toMatch(/^insert into/);
      expect(record.message).toContain("UNIQUE_VIOLATION");
      expect(record.parameters).toBeUndefined();
    }
  });

  it("echo: true writes statements and durations to stderr", async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const engine = open(ctx.url(), { echo: true });
    await sql`select 42 as echoed`.execute(engine.db);
    vi.restoreAllMocks();
    const line = written.find((text) => text.includes("select 42 as echoed"));
    expect(line).toMatch(/^\[athanor\] debug \d+\.\d+ ms select 42 as echoed\n$/);
  });

  it("echo stays silent when false, and log and echo can be combined", async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const records: LogRecord[] = [];
    await sql`select 1 as quiet`.execute(open(ctx.url()).db);
    await sql`select 2 as both_sinks`.execute(open(ctx.url(), { echo: true, log: (record) => records.push(record) }).db);
    vi.restoreAllMocks();
    expect(written.some((text) => text.includes("quiet"))).toBe(false);
    expect(written.some((text) => text.includes("both_sinks"))).toBe(true);
    expect(records.some((record) => record.sql?.includes("both_sinks"))).toBe(true);
  });

  it("engine.on('query') receives every statement until off()", async () => {
    const engine = open(ctx.url());
    const events: Array<EngineEvents["query"]> = [];
    const listener = (event: EngineEvents["query"]) => events.push(event);
    engine.on("query", listener);
    await sql`select 1 as first`.execute(engine.db);
    await engine.db.transaction().execute((trx) => sql`select 2 as second`.execute(trx));
    engine.off("query", listener);
    await sql`select 3 as third`.execute(engine.db);
    const statements = events.map((event) => event.sql.toLowerCase());
    expect(statements).toContain("select 1 as first");
    expect(statements).toContain("select 2 as second");
    expect(statements.some((statement) => statement.startsWith("begin"))).toBe(true);
    expect(statements).toContain("commit");
    expect(statements).not.toContain("select 3 as third");
    const first = events.find((event) => event.sql === "select 1 as first")!;
    expect(first).toMatchObject({ rowCount: 1, error: undefined, parameters: undefined });
    expect(first.durationMillis).toBeGreaterThanOrEqual(0);
  });

  it("emits connect, checkout, checkin and error events", async () => {
    const engine = open(ctx.url());
    const seen: string[] = [];
    for (const name of ["connect", "checkout", "checkin", "error"] as const) engine.on(name, () => seen.push(name));
    let failed: AthanorError | undefined;
    engine.on("error", ({ error }) => (failed = error));
    await engine.db.transaction().execute((trx) => sql`select 1 as one`.execute(trx));
    await rejection(sql`select * from no_such_table`.execute(engine.db));
    expect(seen).toEqual(expect.arrayContaining(["connect", "checkout", "checkin", "error"]));
    expect(seen.indexOf("checkout")).toBeLessThan(seen.indexOf("checkin"));
    expect(failed?.code).toBe("DATABASE_ERROR");
  });

  it("a throwing log callback or listener does not break the statement", async () => {
    const engine = open(ctx.url(), {
      log: () => {
        throw new Error("logger down");
      },
    });
    engine.on("query", () => {
      throw new Error("listener down");
    });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(engine.db);
      expect(Number(rows[0]!.one)).toBe(1);
      // Transactions take and return their connection even when a checkout listener throws.
      engine.on("checkout", () => {
        throw new Error("checkout listener down");
      });
      for (let i = 0; i < 3; i++) await engine.db.transaction().execute((trx) => sql`select 1 as one`.execute(trx));
      expect(engine.pool.status().checkedOut).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    // Reported once as a process warning, not once per statement.
    expect(warnings.filter((warning) => (warning as { code?: string }).code === "ATHANOR_OBSERVER_FAILED")).toHaveLength(1);
  });
});

describeEachDialect(
  "engine logging, secrets",
  () => {
    const open = engineFactory();

    it("a failing connection never shows the password: error, log records, events, health, inspect", async () => {
      const url = parseDatabaseUrl(testPostgresUrl());
      // Trust authentication accepts any password, so a missing database provokes the failure.
      const secretUrl = `postgres://${url.username ?? "postgres"}:wrong-secret@${url.host}:${url.port}/athanor_missing_${process.pid}`;
      const records: LogRecord[] = [];
      const events: unknown[] = [];
      const engine = open(secretUrl, { log: (record) => records.push(record), echo: false, pool: { acquireTimeoutMillis: 5_000 } });
      engine.on("error", (event) => events.push(event));
      const error = await rejection(sql`select 1`.execute(engine.db));
      expect(error).toBeInstanceOf(ConnectionFailedError);
      expect(error.message).toContain(`athanor_missing_${process.pid}`);
      expect(error.message).toMatch(/does not exist/);
      const report = await engine.healthCheck();
      expect(report.status).toBe("error");
      // A failed connection is logged with level error, like a failed statement.
      expect(records.some((record) => record.level === "error" && record.error instanceof ConnectionFailedError)).toBe(true);
      const everything = [
        error.message,
        error.stack ?? "",
        inspect(error, { depth: 6 }),
        JSON.stringify(records.map(({ error: recordError, ...rest }) => ({ ...rest, error: recordError?.message }))),
        inspect(records, { depth: 6 }),
        inspect(events, { depth: 6 }),
        JSON.stringify(report),
        String(engine.url),
        JSON.stringify(engine.url),
        inspect(engine, { depth: 6 }),
      ].join("\n");
      expect(everything).not.toContain("wrong-secret");
    });
  },
  ["postgres"],
);
