/**
 * `npm run bench:tracing`: the cost of Athanor's OpenTelemetry tracing on PostgreSQL point
 * selects, three ways: (a) tracing off; (b) `tracing: true` with `@opentelemetry/api` present but
 * no SDK registered (its no-op tracer); (c) the real SDK (BasicTracerProvider, BatchSpanProcessor)
 * with an exporter that drops the spans. Each runs sequentially and with 32 concurrent callers,
 * BENCH_ROUNDS rounds (default 7) in rotated order; medians of statements per second are shown
 * with each way's ratio to (a). The machine is shared and noisy: read the ratios, not the rates.
 */
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { sql } from "kysely";
import { createEngine, type Engine, type EngineOptions } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";
import { median } from "./harness.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2_000);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 6_000);
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

async function pointSelects(engine: Engine<Items>, count: number, callers: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < count) {
        const id = (next++ % ROWS) + 1;
        await engine.db.selectFrom("bench_tracing_items").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const database = await createTestDatabase("postgres");
try {
  const setup = createEngine(database.url);
  await sql`create table bench_tracing_items (id integer primary key, name text not null)`.execute(setup.db);
  await sql`insert into bench_tracing_items select i, 'item ' || i from generate_series(1, ${ROWS}) as i`.execute(setup.db);
  await setup.dispose();

  const engines = Object.fromEntries(Object.entries(ways).map(([name, options]) => [name, createEngine<Items>(database.url, { ...options, pool: { size: CALLERS, maxOverflow: 0 } })]));
  const rates: Record<string, { sequential: number[]; concurrent: number[] }> = Object.fromEntries(Object.keys(ways).map((name) => [name, { sequential: [], concurrent: [] }]));
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

  const base = rates[names[0]!]!;
  console.log(`PostgreSQL point selects, ${ROUNDS} rounds (rotated order), medians; ratio = throughput / (a)`);
  console.log(`${"way".padEnd(26)} ${"sequential/s".padStart(13)} ${"ratio".padStart(6)} ${`${CALLERS} callers/s`.padStart(13)} ${"ratio".padStart(6)}`);
  for (const name of names) {
    const sequential = median(rates[name]!.sequential);
    const concurrent = median(rates[name]!.concurrent);
    console.log(
      `${name.padEnd(26)} ${sequential.toFixed(0).padStart(13)} ${(sequential / median(base.sequential)).toFixed(3).padStart(6)} ${concurrent.toFixed(0).padStart(13)} ${(concurrent / median(base.concurrent)).toFixed(3).padStart(6)}`,
    );
  }
} finally {
  await database.drop();
}
