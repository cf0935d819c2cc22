// A connection budget: every worker process on every host has its own pool, and together they
// must stay within the server's max_connections. Runs on any DATABASE_URL (SQLite has no such limit).
import { checkConnectionBudget, ConnectionBudgetError, createEngine, poolFromBudget } from "athanor";

// #region derive
// 2 hosts × 4 workers against a server with max_connections = 100, 80 % of it for this service,
// 4 kept free for migrations and an admin shell:
const pool = poolFromBudget({ maxConnections: 100, workers: 2 * 4, share: 0.8, reserved: 4 });
console.log(pool); // { size: 6, maxOverflow: 3 }: 8 × (6 + 3) = 72 ≤ 0.8 × 100 − 4 = 76
// #endregion derive

// #region check
const workers = Number(process.env.WEB_CONCURRENCY ?? 1); // worker processes on this host
const hosts = Number(process.env.HOSTS ?? 1);
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", { pool: { size: 10, maxOverflow: 5 } });
// At start: read max_connections and the reserved connections from the server, fail fast if the pools cannot fit.
const fits = await checkConnectionBudget(engine, { workers: workers * hosts, share: 0.8 });
console.log(fits?.text ?? "no shared connection limit (SQLite, PGlite)");
// e.g. "1 worker × (10 + 5) = 15 connections ≤ 0.8 × 100 max_connections − 3 reserved = 77"
// #endregion check

// #region error
try {
  await checkConnectionBudget(engine, { workers: 64, maxConnections: 100, share: 0.8 });
} catch (error) {
  if (!(error instanceof ConnectionBudgetError)) throw error;
  console.log(error.code, error.demand, error.available);
  // CONNECTION_BUDGET_EXCEEDED 960 80: "… 64 workers × (10 + 5) = 960 connections > 0.8 × 100 max_connections − 0 reserved = 80 …"
}
// #endregion error
await engine.dispose();
