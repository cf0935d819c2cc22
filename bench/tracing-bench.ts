/**
 * `npm run bench:tracing`: the cost of Athanor's OpenTelemetry tracing on PostgreSQL point
 * selects, three ways: (a) tracing off; (b) `tracing: true` with `@opentelemetry/api` present but
 * no SDK registered (its no-op tracer); (c) the real SDK (BasicTracerProvider, BatchSpanProcessor)
 * with an exporter that drops the spans. Each runs sequentially and with 32 concurrent callers,
 * BENCH_ROUNDS rounds (default 7) in rotated order; medians of statements per second are shown
 * with each way's ratio to (a), and the client's CPU time per statement (process.cpuUsage), which
 * other load on the machine disturbs far less than throughput. Batches are short and rotated so
 * drift in the machine's load falls on every way alike.
 */
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { sql } from "kysely";
import { createEngine, type Engine, type EngineOptions } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";
import { median } from "./harness.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 400);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1_600);
const CALLERS = 32;
const ROWS = 1_000;

interface Items {
  bench_tracing_items: { id: number; name: string };
}

/** Drops every span: what is measured is Athanor and the SDK, not an exporter's network. */
const dropping: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: async () => {},
};

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping, { maxQueueSize: 100_000, scheduledDelayMillis: 200 })] });

const ways: Record<string, EngineOptions> = {
  "(a) tracing off": {},
  "(b) API, no SDK": { tracing: true },
  "(c) SDK, no-op exporter": { tracing: { tracer: provider.getTracer("bench") } },
};

interface Rate {
  readonly perSecond: number;
  /** Client CPU (user + system) per statement, in microseconds. */
  readonly cpuMicros: number;
}

async function pointSelects(engine: Engine<Items>, count: number, callers: number): Promise<Rate> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < count) {
        const id = (next++ % ROWS) + 1;
        await engine.db.selectFrom("bench_tracing_items").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      }
    }),
  );
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { perSecond: count / (elapsed / 1000), cpuMicros: (used.user + used.system) / count };
}

const database = await createTestDatabase("postgres");
try {
  const setup = createEngine(database.url);
  await sql`create table bench_tracing_items (id integer primary key, name text not null)`.execute(setup.db);
  await sql`insert into bench_tracing_items select i, 'item ' || i from generate_series(1, ${ROWS}) as i`.execute(setup.db);
  await setup.dispose();

  const engines = Object.fromEntries(Object.entries(ways).map(([name, options]) => [name, createEngine<Items>(database.url, { ...options, pool: { size: CALLERS, maxOverflow: 0 } })]));
  const rates: Record<string, { sequential: Rate[]; concurrent: Rate[] }> = Object.fromEntries(Object.keys(ways).map((name) => [name, { sequential: [], concurrent: [] }]));
  for (const engine of Object.values(engines)) await pointSelects(engine, 2_000, CALLERS); // warm: connections, prepared statements, JIT

  const names = Object.keys(ways);
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, index) => names[(index + round) % names.length]!);
    for (const name of order) {
      rates[name]!.sequential.push(await pointSelects(engines[name]!, SEQUENTIAL, 1));
      rates[name]!.concurrent.push(await pointSelects(engines[name]!, CONCURRENT, CALLERS));
    }
  }
  await Promise.all(Object.values(engines).map((engine) => engine.dispose()));
  await provider.shutdown();

  const summary = (name: string, mode: "sequential" | "concurrent") => ({
    perSecond: median(rates[name]![mode].map((rate) => rate.perSecond)),
    cpuMicros: median(rates[name]![mode].map((rate) => rate.cpuMicros)),
  });
  console.log(`PostgreSQL point selects, ${ROUNDS} rounds of ${SEQUENTIAL} sequential and ${CONCURRENT} at ${CALLERS} callers (rotated order), medians`);
  console.log("ratio = throughput / (a); cpu = client CPU µs per statement");
  console.log(`${"way".padEnd(26)} ${"sequential/s".padStart(13)} ${"ratio".padStart(6)} ${"cpu".padStart(6)} ${`${CALLERS} callers/s`.padStart(13)} ${"ratio".padStart(6)} ${"cpu".padStart(6)}`);
  for (const name of names) {
    const row = [summary(name, "sequential"), summary(name, "concurrent")] as const;
    const base = [summary(names[0]!, "sequential"), summary(names[0]!, "concurrent")] as const;
    console.log(
      `${name.padEnd(26)} ${row[0].perSecond.toFixed(0).padStart(13)} ${(row[0].perSecond / base[0].perSecond).toFixed(3).padStart(6)} ${row[0].cpuMicros.toFixed(1).padStart(6)}` +
        ` ${row[1].perSecond.toFixed(0).padStart(13)} ${(row[1].perSecond / base[1].perSecond).toFixed(3).padStart(6)} ${row[1].cpuMicros.toFixed(1).padStart(6)}`,
    );
  }
} finally {
  await database.drop();
}
