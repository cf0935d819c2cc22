/**
 * `npm run bench:replicas`: read-only point selects at concurrency BENCH_REPLICA_CONCURRENCY
 * (default 32) for BENCH_REPLICA_SECONDS (default 5) per run, on a throwaway primary alone and
 * on the same primary plus one streaming replica (pg_createcluster, pg_basebackup -R: needs
 * root). Each read is a read-only `sessions.run()`; with the replica they are routed to it
 * (the primary only when it leaves rotation). Runs alternate, BENCH_RUNS times (default 3);
 * medians are shown, with the ratio to the primary alone. On one machine both servers share
 * the same cores: the replica cannot add capacity here, only show the routing's cost and that
 * the reads are offloaded.
 */
import { createEngine, createSessionFactory, type Engine } from "../src/index.js";
import { sql } from "kysely";
import { ThrowawayCluster } from "../test/support/throwaway-cluster.js";
import { median } from "./harness.js";

const CONCURRENCY = Number(process.env.BENCH_REPLICA_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_REPLICA_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = 10_000;

interface DB {
  items: { id: number; name: string };
}

async function readsPerSecond(engine: Engine<DB>): Promise<number> {
  const readOnly = createSessionFactory(engine, { readOnly: true });
  const deadline = performance.now() + SECONDS * 1_000;
  let reads = 0;
  const worker = async (seed: number): Promise<void> => {
    for (let i = seed; performance.now() < deadline; i += CONCURRENCY) {
      await readOnly.run((db) => db.selectFrom("items").selectAll().where("id", "=", (i % ROWS) + 1).executeTakeFirstOrThrow());
      reads++;
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, seed) => worker(seed)));
  return reads / ((performance.now() - startedAt) / 1_000);
}

const support = ThrowawayCluster.support();
if (!support.available) {
  process.stderr.write(`bench:replicas needs throwaway clusters: ${support.reason}\n`);
  process.exit(2);
}
const primary = await ThrowawayCluster.create();
let replica: ThrowawayCluster | undefined;
try {
  const setup = createEngine<DB>(primary.url());
  await sql`create table items (id integer primary key, name text not null)`.execute(setup.db);
  await sql`insert into items select i, 'item ' || i from generate_series(1, ${ROWS}) i`.execute(setup.db);
  await setup.dispose();
  replica = await primary.createReplica();
  const pool = { size: 10, maxOverflow: 0 };
  const alone = createEngine<DB>(primary.url(), { pool });
  const withReplica = createEngine<DB>(primary.url(), { pool, replicas: [replica.url()] });
  const results = { alone: [] as number[], withReplica: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    results.alone.push(await readsPerSecond(alone));
    results.withReplica.push(await readsPerSecond(withReplica));
  }
  const status = withReplica.replicas.status();
  const base = median(results.alone);
  const rows = [
    ["primary alone", base],
    ["primary + 1 replica", median(results.withReplica)],
  ] as const;
  console.log(`read-only point selects, concurrency ${CONCURRENCY}, ${SECONDS} s x ${RUNS} runs (median), pool size 10 per server`);
  console.log("| setup | reads/s | ratio |\n|---|---:|---:|");
  for (const [name, value] of rows) console.log(`| ${name} | ${Math.round(value)} | ${(value / base).toFixed(2)} |`);
  console.log(`replica reads ${status.replicas[0]!.reads}, fallbacks to the primary ${JSON.stringify(status.fallbacks)}`);
  await Promise.all([alone.dispose(), withReplica.dispose()]);
} finally {
  await replica?.drop();
  await primary.drop();
}
