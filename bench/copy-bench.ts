/**
 * `npm run bench:copy`: PostgreSQL bulk insert of BENCH_COPY_ROWS rows (default 100,000) into
 * `bench_events`, one transaction each, by every way there is: multi-row INSERTs (as raw `pg`
 * and as Athanor's `insertMany`), one `unnest()` INSERT of two arrays, and `COPY … FROM STDIN`
 * (pg-copy-streams, text format). Each way runs alone on an emptied table, BENCH_RUNS times,
 * interleaved; the median is shown with the client's CPU time.
 */
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { createEngine, createSessionFactory } from "../src/index.js";
import { benchSchema } from "./bench-athanor-schema.js";
import { readBenchConfig } from "./bench-config.js";
import { median } from "./harness.js";
import { createPostgresFixture, postgresReachable } from "./postgres-fixture.js";

const ROWS = Number(process.env.BENCH_COPY_ROWS ?? 100_000);
const CHUNK = 5_000;

interface Row {
  item_id: number;
  amount: number;
}

const rows: Row[] = Array.from({ length: ROWS }, (_, index) => ({ item_id: (index % 100) + 1, amount: index }));

type Way = (client: pg.PoolClient) => Promise<void>;

function multiRowSql(count: number): string {
  const tuples = Array.from({ length: count }, (_, index) => `($${2 * index + 1}, $${2 * index + 2})`);
  return `insert into "bench_events" ("item_id", "amount") values ${tuples.join(", ")}`;
}

const chunkSql = multiRowSql(CHUNK);

const ways: Record<string, Way> = {
  "multi-row INSERT, 5,000-row chunks (unnamed)": async (client) => {
    for (let from = 0; from < ROWS; from += CHUNK) {
      const values: number[] = [];
      for (let index = from; index < Math.min(ROWS, from + CHUNK); index++) values.push(rows[index]!.item_id, rows[index]!.amount);
      await client.query(values.length === 2 * CHUNK ? chunkSql : multiRowSql(values.length / 2), values);
    }
  },
  "multi-row INSERT, 5,000-row chunks (named)": async (client) => {
    for (let from = 0; from < ROWS; from += CHUNK) {
      const values: number[] = [];
      for (let index = from; index < Math.min(ROWS, from + CHUNK); index++) values.push(rows[index]!.item_id, rows[index]!.amount);
      await client.query({ name: `copy_bench_chunk_${values.length}`, text: values.length === 2 * CHUNK ? chunkSql : multiRowSql(values.length / 2), values });
    }
  },
  "unnest() of two arrays, one statement (named)": async (client) => {
    const itemIds = new Array<number>(ROWS);
    const amounts = new Array<number>(ROWS);
    for (let index = 0; index < ROWS; index++) {
      itemIds[index] = rows[index]!.item_id;
      amounts[index] = rows[index]!.amount;
    }
    await client.query({
      name: "copy_bench_unnest",
      text: 'insert into "bench_events" ("item_id", "amount") select * from unnest($1::integer[], $2::integer[])',
      values: [itemIds, amounts],
    });
  },
  "COPY FROM STDIN (text), pg-copy-streams": async (client) => {
    const stream = client.query(copyFrom('copy "bench_events" ("item_id", "amount") from stdin'));
    await pipeline(Readable.from(textChunks()), stream);
  },
};

/** COPY's text format, in chunks of about 64 KiB: tab between columns, newline after a row. */
function* textChunks(): Generator<string> {
  let text = "";
  for (let index = 0; index < ROWS; index++) {
    const row = rows[index]!;
    text += `${row.item_id}\t${row.amount}\n`;
    if (text.length >= 65_536) {
      yield text;
      text = "";
    }
  }
  if (text !== "") yield text;
}

async function main(): Promise<void> {
  const config = readBenchConfig();
  if (!(await postgresReachable(config.postgresUrl))) throw new Error("PostgreSQL unreachable (ATHANOR_BENCH_POSTGRES_URL)");
  const fixture = await createPostgresFixture(config.postgresUrl, 100);
  const pool = new pg.Pool({ connectionString: fixture.url, max: 1 });
  const engine = createEngine(fixture.url, { schema: benchSchema, pool: { size: 1, maxOverflow: 0 } });
  const sessions = createSessionFactory(engine);
  const all: Record<string, () => Promise<void>> = {
    ...Object.fromEntries(
      Object.entries(ways).map(([name, way]) => [
        `pg: ${name}`,
        async () => {
          const client = await pool.connect();
          try {
            await client.query("begin");
            await way(client);
            await client.query("commit");
          } finally {
            client.release();
          }
        },
      ]),
    ),
    "athanor insertMany with { schema } (COPY from 1,000 rows on, 50,000 rows a COPY)": async () => {
      await sessions.run((db) => db.insertMany("bench_events", rows));
    },
  };
  const samples = new Map<string, { millis: number[]; cpu: number[] }>(Object.keys(all).map((name) => [name, { millis: [], cpu: [] }]));
  try {
    for (let run = 0; run <= config.runs; run++) {
      for (const [name, insert] of Object.entries(all)) {
        await fixture.reset();
        const cpuBefore = process.cpuUsage();
        const startedAt = performance.now();
        await insert();
        const millis = performance.now() - startedAt;
        const cpu = process.cpuUsage(cpuBefore);
        const { rows: [count] } = await pool.query<{ n: string }>('select count(*) as n from "bench_events"');
        if (Number(count!.n) !== ROWS) throw new Error(`${name}: ${count!.n} rows instead of ${ROWS}`);
        // Run 0 is the warm-up (statements prepared, JIT warm).
        if (run > 0) {
          samples.get(name)!.millis.push(millis);
          samples.get(name)!.cpu.push((cpu.user + cpu.system) / 1_000);
        }
      }
    }
  } finally {
    await engine.dispose();
    await pool.end();
    await fixture.drop();
  }
  const reference = median(samples.get(`pg: ${Object.keys(ways)[0]}`)!.millis);
  console.log(`\n${ROWS.toLocaleString("en-US")} rows into bench_events (item_id integer, amount integer), one transaction, median of ${config.runs} runs\n`);
  console.log("| way | ms | rows/s | × pg multi-row INSERT | client CPU ms |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, { millis, cpu }] of samples) {
    const time = median(millis);
    console.log(`| ${name} | ${time.toFixed(0)} (${Math.min(...millis).toFixed(0)}–${Math.max(...millis).toFixed(0)}) | ${Math.round((ROWS / time) * 1_000).toLocaleString("en-US")} | ${(reference / time).toFixed(2)}× | ${median(cpu).toFixed(0)} |`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
