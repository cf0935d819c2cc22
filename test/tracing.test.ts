import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { context, SpanStatusCode } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine, createSessionFactory, PoolTimeoutError, type EngineEvents } from "../src/index.js";
import { createMigrator } from "../src/migrate/index.js";
import type { RevisionScript } from "../src/migrate/revision-script.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, engineFactory } from "./support/engines.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer("athanor-test");
const contextManager = new AsyncLocalStorageContextManager();

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});
beforeEach(() => exporter.reset());

const spans = (name?: string | RegExp): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => name === undefined || (typeof name === "string" ? span.name === name : name.test(span.name)));
const parentOf = (span: ReadableSpan): string | undefined =>
  (span as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId ?? (span as unknown as { parentSpanId?: string }).parentSpanId;

function metricValues(collected: ResourceMetrics, name: string): Array<{ value: unknown; attributes: Record<string, unknown> }> {
  const metric = collected.scopeMetrics.flatMap((scope) => scope.metrics).find((candidate) => candidate.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((point) => ({ value: point.value, attributes: point.attributes }));
}

describeEachDialect("OpenTelemetry tracing and metrics", (ctx) => {
  const open = engineFactory();
  const system = ctx.isPostgres ? "postgresql" : "sqlite";

  it("makes a client span per statement with the semantic-convention attributes and no parameter values", async () => {
    const engine = open(ctx.url(), { tracing: { tracer } });
    await sql`select ${"secret-value"} as word`.execute(engine.db);
    const [span] = spans(/^SELECT/);
    expect(span).toBeDefined();
    expect(span!.kind).toBe(2); // CLIENT
    expect(span!.name).toBe(`SELECT ${engine.url.database}`);
    expect(span!.attributes).toMatchObject({ "db.system": system, "db.namespace": engine.url.database, "db.operation.name": "SELECT" });
    expect(String(span!.attributes["db.query.text"])).toMatch(/^select (\$1|\?) as word$/);
    expect(JSON.stringify(span!.attributes)).not.toContain("secret-value");
    if (ctx.isServer) expect(span!.attributes).toMatchObject({ "server.address": engine.url.host, "server.port": engine.url.port });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    const millis = span!.duration[0] * 1000 + span!.duration[1] / 1e6;
    expect(millis).toBeGreaterThan(0);
    expect(millis).toBeLessThan(5_000);
    expect(Math.abs(span!.startTime[0] * 1000 - Date.now())).toBeLessThan(60_000);
  });

  it("never fails a statement because the tracer threw", async () => {
    const throwing = { startSpan: () => { throw new Error("exporter down"); } };
    const engine = open(ctx.url(), { tracing: { tracer: throwing } });
    const warned = new Promise<Error>((resolve) => process.once("warning", resolve));
    await expect(sql`select 1 as one`.execute(engine.db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
    expect((await warned).message).toContain("exporter down");
  });

  it("leaves the statement out with includeQueryText: false", async () => {
    const engine = open(ctx.url(), { tracing: { tracer, includeQueryText: false } });
    await sql`select 1 as one`.execute(engine.db);
    expect(spans(/^SELECT/)[0]!.attributes["db.query.text"]).toBeUndefined();
  });

  it("marks a failed statement with error status and the Athanor code as error.type", async () => {
    const engine = open(ctx.url(), { tracing: { tracer } });
    await expect(sql`select * from no_such_table`.execute(engine.db)).rejects.toThrow();
    const [span] = spans(/^SELECT/);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes["error.type"]).toBe("DATABASE_ERROR");
  });

  it("makes a session's transaction a span whose statements are its children", async () => {
    const engine = open(ctx.url(), { tracing: { tracer } });
    const sessions = createSessionFactory(engine);
    await sessions.run(async (db) => {
      await sql`select 1 as one`.execute(db);
      await sql`select 2 as two`.execute(db);
    });
    const [transaction] = spans("transaction");
    expect(transaction).toBeDefined();
    const children = exporter.getFinishedSpans().filter((span) => parentOf(span) === transaction!.spanContext().spanId);
    expect(children.map((span) => span.attributes["db.operation.name"])).toEqual(expect.arrayContaining(["SELECT", "SELECT"]));
    expect(children.filter((span) => span.attributes["db.operation.name"] === "SELECT")).toHaveLength(2);
    await expect(sessions.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(spans("transaction")[1]!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("makes one span per migration run and one per revision under it", async () => {
    const engine = open(await ctx.freshUrl(), { tracing: { tracer } });
    const script = (revision: string, down: string | null, table: string): RevisionScript => ({
      revision,
      downRevision: down,
      message: `create ${table}`,
      path: `${revision}.ts`,
      checksum: revision,
      transactional: true,
      up: async (op) => {
        await op.db.schema.createTable(table).addColumn("id", "integer", (c) => c.primaryKey()).execute();
      },
      down: undefined,
    });
    const result = await createMigrator(engine, { scripts: [script("t1", null, "traced_a"), script("t2", "t1", "traced_b")] }).upgrade("head");
    expect(result.ok).toBe(true);
    const [run] = spans("migrate upgrade");
    const revisions = spans(/^migrate upgrade t\d$/);
    expect(revisions.map((span) => span.attributes["athanor.migration.revision"])).toEqual(["t1", "t2"]);
    for (const span of revisions) expect(parentOf(span)).toBe(run!.spanContext().spanId);
    const ddl = spans(/^CREATE/).filter((span) => parentOf(span) === revisions[0]!.spanContext().spanId);
    expect(ddl).toHaveLength(1);
  });

  it("emits slowQuery over the threshold, without parameters even with logParameters", async () => {
    const engine = open(ctx.url(), { slowQueryMillis: 1, logParameters: true });
    const slow: Array<EngineEvents["slowQuery"]> = [];
    engine.on("slowQuery", (event) => slow.push(event));
    await sql`with recursive c(x) as (select 1 union all select x + 1 from c where x < ${300_000}) select count(*) as n from c`.execute(engine.db);
    const event = slow.find((candidate) => candidate.sql.startsWith("with recursive"));
    expect(event).toBeDefined();
    expect(event!.durationMillis).toBeGreaterThanOrEqual(1);
    expect(event!.thresholdMillis).toBe(1);
    expect(Object.keys(event!)).not.toContain("parameters");
  });

  it.runIf(ctx.isServer)("makes a checkout span when a caller waits, and counts pool state and timeouts as metrics", async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const engine = open(ctx.url(), { tracing: { tracer }, metrics: { meter: meterProvider.getMeter("athanor-test") }, pool: { size: 1, maxOverflow: 0, acquireTimeoutMillis: 1_000 } });
    const sessions = createSessionFactory(engine);
    await sql`select 0 as zero`.execute(engine.db); // opens the one connection: a checkout that waited for it
    const holding = deferred();
    const held = deferred();
    const holder = sessions.run(async (db) => {
      await sql`select 1 as one`.execute(db);
      held.resolve();
      await holding.promise;
    });
    await held.promise;
    const during = (await reader.collect()).resourceMetrics;
    expect(metricValues(during, "db.client.connection.count")).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: 1, attributes: expect.objectContaining({ "db.client.connection.state": "used" }) })]),
    );
    expect(metricValues(during, "db.client.connection.max")[0]!.value).toBe(1);
    await expect(sql`select 2 as two`.execute(engine.db)).rejects.toBeInstanceOf(PoolTimeoutError);
    const waiter = sql`select 3 as three`.execute(engine.db);
    holding.resolve();
    await holder;
    await waiter;
    // The first checkout waited for the pool's first connection to open, the holder's found it idle; the next timed out; the last waited for the holder.
    const checkouts = spans("checkout");
    expect(checkouts.map((span) => span.attributes["error.type"])).toEqual([undefined, "POOL_TIMEOUT", undefined]);
    expect(checkouts[2]!.status.code).toBe(SpanStatusCode.UNSET);
    const after = (await reader.collect()).resourceMetrics;
    expect(metricValues(after, "db.client.connection.timeouts")[0]!.value).toBe(1);
    expect(metricValues(after, "db.client.connection.pending_requests")[0]!.value).toBe(0);
    expect(metricValues(after, "db.client.operation.duration").length).toBeGreaterThan(0);
    await engine.dispose();
    // Disposed, the engine is no longer observed: a callback still registered would report its closed pool's 0 idle.
    const disposed = metricValues((await reader.collect()).resourceMetrics, "db.client.connection.count");
    expect(disposed.find((point) => point.attributes["db.client.connection.state"] === "idle")?.value).toBe(1);
    await meterProvider.shutdown();
  });
}, ["sqlite-memory", "pglite", "postgres"]);

// One child process for both (a tsx start-up is the slow part): nothing of OpenTelemetry is
// loaded while tracing and metrics are off; once they are on without the package, the error names it.
it("never loads @opentelemetry/api when tracing and metrics are off, and names it when they are on and it is missing", async () => {
  const program = `
    import Module, { createRequire } from "node:module";
    import { sql } from "kysely";
    import { createEngine } from "./src/index.js";
    const engine = createEngine("sqlite::memory:", { slowQueryMillis: 1000 });
    await sql\`select 1\`.execute(engine.db);
    await engine.dispose();
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes("@opentelemetry"));
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === "@opentelemetry/api") throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: "MODULE_NOT_FOUND" });
      return resolve.call(this, request, ...rest);
    };
    try {
      createEngine("sqlite::memory:", { metrics: true });
    } catch (error) {
      process.stdout.write(loaded + "\\n" + error.code + " " + error.message);
    }
  `;
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], { cwd: fileURLToPath(new URL("..", import.meta.url)) }, (error, stdout, stderr) =>
      error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)),
    );
  });
  expect(output).toBe('false\nDRIVER_MISSING the "@opentelemetry/api" package is needed for the metrics option: npm install @opentelemetry/api');
}, 30_000);

it("rejects a misspelt tracing option by name", () => {
  expect(() => createEngine("sqlite::memory:", { tracing: { includeQueryTxt: false } as never })).toThrow(/options\.tracing must be true, false or \{ tracer\?, includeQueryText\? \}/);
  expect(() => createEngine("sqlite::memory:", { metrics: { meter: {} } as never })).toThrow(/options\.metrics/);
  expect(() => createEngine("sqlite::memory:", { slowQueryMillis: -1 })).toThrow(/slowQueryMillis/);
});
