// OpenTelemetry: spans for statements, transactions, pool waits and migrations; pool metrics;
// slow-query events. Needs `npm install @opentelemetry/api` (and an SDK to send what it records).
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createEngine, createSessionFactory } from "athanor";
import { defineSchema, initializeDatabase, integer, table, text } from "athanor/schema";

const agents = table("agents", { id: integer().primaryKey(), name: text().notNull() });
const schema = defineSchema({ agents });

// #region sdk
// Usually @opentelemetry/sdk-node's NodeSDK with an OTLP exporter does this; here, in memory.
const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()); // spans follow async calls
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const reader = new PullReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
// #endregion sdk

// #region engine
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", {
  schema,
  tracing: true, // or { tracer, includeQueryText: false }
  metrics: true, // or { meter }
  slowQueryMillis: 500,
});
engine.on("slowQuery", ({ sql, durationMillis }) => console.warn(`slow (${durationMillis.toFixed(0)} ms): ${sql}`));
const sessions = createSessionFactory(engine);
// #endregion engine

await initializeDatabase(engine, schema);
exporter.reset();

// #region spans
await sessions.run(async (db) => {
  await db.insertInto("agents").values({ id: 1, name: "scheduler" }).execute();
  await db.selectFrom("agents").selectAll().where("id", "=", 1).executeTakeFirstOrThrow();
});
for (const span of exporter.getFinishedSpans()) console.log(span.name, span.attributes["db.query.text"] ?? "");
// BEGIN app begin, INSERT app insert into "agents" ("id", "name") values ($1, $2), SELECT app …, COMMIT app commit, transaction
// (each statement a child of "transaction"; the values 1 and "scheduler" appear nowhere)
// #endregion spans

// #region metrics
const { resourceMetrics } = await reader.collect();
const names = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name));
console.log(names);
// db.client.operation.duration, db.client.connection.count, …pending_requests, …max, …timeouts
// #endregion metrics

await engine.dispose();
