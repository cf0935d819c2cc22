import { writeFile, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import type { LogRecord } from "../src/engine/log-record.js";
import { ConnectionFailedError } from "../src/errors.js";
import { parseDatabaseUrl } from "../src/engine/database-url.js";
import type { HealthReport } from "../src/health/health-report.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { engineFactory } from "./support/engines.js";

const POOL_FIELDS = ["size", "total", "checkedOut", "idle", "overflow", "waiting", "created", "destroyed", "timeouts"];
/** Reported beside the pool's counters when `postgres.pipeline` is on. */
const PIPELINE_FIELDS = ["pipelineConnections", "pipelined"];

function expectReportShape(report: HealthReport, pipelined = false): void {
  expect(Object.keys(report).sort()).toEqual(["database", "dialect", "host", "latencyMillis", "message", "pool", "port", "status", "version"]);
  expect(Object.keys(report.pool).sort()).toEqual([...POOL_FIELDS, ...(pipelined ? PIPELINE_FIELDS : [])].sort());
  expect(report.latencyMillis).toBeGreaterThanOrEqual(0);
}

describeEachDialect("engine health check", (ctx) => {
  const open = engineFactory();

  it("reports status, message, dialect, database, version, host, port, latency and pool", async () => {
    const engine = open(ctx.url());
    const report = await engine.healthCheck();
    expectReportShape(report, ctx.isPipelined);
    const url = parseDatabaseUrl(ctx.url());
    expect(report).toMatchObject({ status: "ok", message: "connected", dialect: url.dialect, database: url.database });
    if (ctx.isPglite) {
      expect(report).toMatchObject({ host: null, port: null });
      expect(report.version).toMatch(/^PostgreSQL \d+(\.\d+)? \(PGlite \d+\.\d+\.\d+\)$/);
    } else if (ctx.isPostgres) {
      expect(report).toMatchObject({ host: url.host, port: url.port });
      expect(report.version).toMatch(/^PostgreSQL \d+(\.\d+)?/);
    } else {
      expect(report).toMatchObject({ host: null, port: null });
      expect(report.version).toMatch(/^SQLite 3\.\d+\.\d+$/);
      expect(report.database).toBe(ctx.name === "sqlite-memory" ? ":memory:" : url.database);
    }
    // The probe returned what it checked out.
    expect(report.pool.checkedOut).toBe(0);
    expect(engine.pool.status().checkedOut).toBe(0);
  });

  it("serialises to JSON for a health endpoint", async () => {
    const report = await open(ctx.url()).healthCheck();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  // PGlite's one connection is the transaction's: the probe waits for it (up to healthCheckTimeoutMillis).
  it.skipIf(ctx.isPglite)("reports while a transaction holds a connection", async () => {
    const engine = open(ctx.url(), { pool: { size: 2, maxOverflow: 0 } });
    const report = await engine.db.transaction().execute(async (trx) => {
      await trx.selectNoFrom((eb) => eb.lit(1).as("one")).execute();
      return engine.healthCheck();
    });
    expect(report.status).toBe("ok");
    expect(report.pool.checkedOut).toBe(1);
  });
});

describeEachDialect(
  "engine health check, unreachable PostgreSQL",
  () => {
    const open = engineFactory();
    const servers: Server[] = [];
    const sockets: Socket[] = [];
    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.destroy();
      await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    });

    it("returns status error (never throws) for a refused port, without the password", async () => {
      const engine = open("postgres://athanor:hunter2-secret@127.0.0.1:1/nowhere");
      const report = await engine.healthCheck();
      expectReportShape(report);
      expect(report).toMatchObject({ status: "error", dialect: "postgres", database: "nowhere", host: "127.0.0.1", port: 1, version: null });
      expect(report.message).toMatch(/ECONNREFUSED/);
      expect(JSON.stringify(report)).not.toContain("hunter2-secret");
      expect(report.pool.checkedOut).toBe(0);
    });

    it("is bounded by healthCheckTimeoutMillis when the server accepts but never answers", async () => {
      // A TCP listener that accepts and stays silent: the PostgreSQL handshake never completes.
      const server = createServer((socket) => sockets.push(socket));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      const engine = open(`postgres://athanor:hunter2-secret@127.0.0.1:${port}/silent`, {
        healthCheckTimeoutMillis: 200,
        pool: { acquireTimeoutMillis: 60_000 },
      });
      const report = await engine.healthCheck();
      expect(report).toMatchObject({ status: "error", version: null, port });
      expect(report.message).toContain("timed out after 200 ms");
      expect(JSON.stringify(report)).not.toContain("hunter2-secret");
    });
  },
  ["postgres"],
);

describeEachDialect(
  "engine health check, unusable SQLite file",
  () => {
    const open = engineFactory();

    it("returns status error (never throws) when the file cannot be opened", async () => {
      const blocker = join(tmpdir(), `athanor-health-${process.pid}-${Date.now()}`);
      await writeFile(blocker, "a file where a directory should be");
      try {
        const engine = open(`sqlite:${blocker}/sub/app.db`);
        const report = await engine.healthCheck();
        expectReportShape(report);
        expect(report).toMatchObject({ status: "error", dialect: "sqlite", version: null });
        expect(report.message).toContain("could not open the SQLite database");
        const records: LogRecord[] = [];
        const logged = open(`sqlite:${blocker}/sub/app.db`, { log: (record) => records.push(record) });
        await expect(sql`select 1`.execute(logged.db)).rejects.toBeInstanceOf(ConnectionFailedError);
        expect(records.filter((record) => record.level === "error").map((record) => record.error)).toEqual([expect.any(ConnectionFailedError)]);
      } finally {
        await rm(blocker, { force: true });
      }
    });
  },
  ["sqlite-file"],
);
