// npm run bench:service — a bounded loopback load on the reference service (examples/agent-platform),
// started as `npm start` starts it, on SQLite and PostgreSQL, with 1 and 2 workers: req/s, p50/p99,
// errors (a valid run has none), and the pool's status once the load stops (back to idle).
//
//   BENCH_SERVICE_SECONDS (default 10)      load per configuration
//   BENCH_SERVICE_CONNECTIONS (default 16)  autocannon's keep-alive connections (a closed loop: bounded)
//   BENCH_SERVICE_DIALECTS (default "sqlite,postgres"), BENCH_SERVICE_WORKERS (default "1,2")
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createTestDatabase, postgresReachable, testPostgresUrl, type TestDatabase } from "athanor/testing";

interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
interface AutocannonResult {
  duration: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
type LoadRequest = AutocannonRequest & { setupRequest?: (request: AutocannonRequest) => AutocannonRequest };
type Autocannon = (options: { url: string; connections: number; duration: number; requests: LoadRequest[] }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SECONDS = Number(process.env.BENCH_SERVICE_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_SERVICE_CONNECTIONS ?? 16);
const DIALECTS = (process.env.BENCH_SERVICE_DIALECTS ?? "sqlite,postgres").split(",");
const WORKERS = (process.env.BENCH_SERVICE_WORKERS ?? "1,2").split(",").map(Number);

// The demo data's ids (examples/agent-platform/src/demo-fixtures.ts), seeded by the service at start.
const CORE_SQUAD = "0c000000-0000-4000-8000-000000000001";
const WELCOME = "1a000000-0000-4000-8000-000000000001";
const JSON_HEADERS = { "content-type": "application/json" };

/** The mix, cycled by every connection: four reads (a relation, a page, a keyset page, aggregates) and two writes. */
let sequence = 0; // new users' emails, unique across runs

function mix(): LoadRequest[] {
  return [
    { method: "GET", path: `/api/squads/${CORE_SQUAD}` },
    { method: "GET", path: "/api/users?page=1&per_page=20" },
    { method: "POST", path: `/api/conversations/${WELCOME}/messages`, headers: JSON_HEADERS, body: JSON.stringify({ role: "user", content: "load" }) },
    { method: "GET", path: `/api/conversations/${WELCOME}/messages?limit=20` },
    { method: "GET", path: "/api/stats/feedback" },
    {
      method: "POST",
      path: "/api/users",
      headers: JSON_HEADERS,
      setupRequest: (request) => ({ ...request, body: JSON.stringify({ email: `load-${process.pid}-${sequence++}@example.com`, name: "load" }) }),
    },
  ];
}

interface Row {
  readonly dialect: string;
  readonly workers: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly pool: string;
  readonly exitCode: number | string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls GET /health until the answering workers' pools hold no connection and nobody waits (at most 5 s). */
async function poolAfter(url: string): Promise<string> {
  let last = "";
  for (let attempt = 0; attempt < 50; attempt++) {
    const samples = await Promise.all(Array.from({ length: 4 }, () => fetch(`${url}/health`).then((response) => response.json() as Promise<{ pool: Record<string, number> }>)));
    // One request of ours is in flight during the probe: its own connection is the only one checked out.
    const busiest = samples.map((sample) => sample.pool).sort((a, b) => b.checkedOut! + b.waiting! - (a.checkedOut! + a.waiting!))[0]!;
    last = `checkedOut ${busiest.checkedOut}, idle ${busiest.idle}, waiting ${busiest.waiting}, total ${busiest.total}, timeouts ${busiest.timeouts}`;
    if (busiest.checkedOut! <= 1 && busiest.waiting === 0) return `idle (${last})`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return `NOT IDLE (${last})`;
}

/** The URL the service prints once it listens. */
async function listeningUrl(output: () => string, timeoutMillis: number): Promise<string> {
  for (const deadline = Date.now() + timeoutMillis; Date.now() < deadline; ) {
    const found = /listening on (\S+)/.exec(output());
    if (found) return found[1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the service did not start:\n${output()}`);
}

async function measure(dialect: string, workers: number): Promise<Row> {
  const database: TestDatabase = await createTestDatabase(dialect === "postgres" ? "postgres" : "sqlite-file");
  const port = await freePort();
  const service = spawn(process.execPath, ["--import", "tsx", "examples/agent-platform/src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, PORT: String(port), WORKERS: String(workers), LOG_LEVEL: "warn", POOL_SIZE: "10", POOL_MAX_OVERFLOW: "5" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  service.stdout.on("data", (chunk) => (output += String(chunk)));
  service.stderr.on("data", (chunk) => (output += String(chunk)));
  const exited = new Promise<number | string>((resolve) => service.once("close", (code, signal) => resolve(code ?? signal ?? -1)));
  try {
    const url = await listeningUrl(() => output, 60_000);
    await autocannon({ url, connections: CONNECTIONS, duration: 2, requests: mix() }); // warm-up
    const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests: mix() });
    const pool = await poolAfter(url);
    if (result.non2xx > 0) process.stderr.write(`  answers by status: ${JSON.stringify(result.statusCodeStats)}\n`);
    service.kill("SIGTERM");
    return {
      dialect,
      workers,
      requestsPerSecond: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      pool,
      exitCode: await exited,
    };
  } finally {
    service.kill("SIGKILL");
    await database.drop();
  }
}

const rows: Row[] = [];
const postgres = await postgresReachable(testPostgresUrl());
for (const dialect of DIALECTS) {
  if (dialect === "postgres" && !postgres) {
    process.stderr.write(`PostgreSQL unreachable at ${testPostgresUrl()}: skipped\n`);
    continue;
  }
  for (const workers of WORKERS) {
    process.stderr.write(`${dialect}, ${workers} worker(s): ${SECONDS} s, ${CONNECTIONS} connections…\n`);
    rows.push(await measure(dialect, workers));
  }
}

console.log(`\nagent platform under load: ${CONNECTIONS} keep-alive connections, ${SECONDS} s each, mix of GET squad+members, GET users page, POST message, GET messages by cursor, GET feedback stats, POST user\n`);
console.log("| database | workers | req/s | p50 ms | p99 ms | errors | pool after the load | exit on SIGTERM |");
console.log("|---|---:|---:|---:|---:|---:|---|---:|");
for (const row of rows) {
  console.log(`| ${row.dialect} | ${row.workers} | ${row.requestsPerSecond.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.errors} | ${row.pool} | ${row.exitCode} |`);
}
const failed = rows.filter((row) => row.errors > 0 || row.exitCode !== 0 || row.pool.startsWith("NOT"));
if (failed.length > 0) {
  console.error(`\n${failed.length} configuration(s) had errors, a busy pool after the load, or an unclean exit`);
  process.exitCode = 1;
}
