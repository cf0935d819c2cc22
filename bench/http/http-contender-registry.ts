import { athanorAutocommitRoute, athanorRequestDb, athanorSessionsRunRoute } from "./contenders/athanor-request-db.js";
import { kyselyTransactionPlugin } from "./contenders/kysely-transaction-plugin.js";
import { rawBetterSqlite3Route } from "./contenders/raw-better-sqlite3-route.js";
import { rawPgRoute } from "./contenders/raw-pg-route.js";
import type { HttpContender } from "./http-contender.js";

/** Everything the HTTP scenario measures, in table order; each server runs in a process of its own (`http-server-worker.ts`). */
export const httpContenders: readonly HttpContender[] = [
  rawPgRoute,
  kyselyTransactionPlugin("postgres"),
  athanorRequestDb("postgres"),
  athanorRequestDb("postgres", true),
  athanorSessionsRunRoute("postgres"),
  athanorAutocommitRoute("postgres"),
  rawBetterSqlite3Route,
  kyselyTransactionPlugin("sqlite"),
  athanorRequestDb("sqlite"),
  athanorRequestDb("sqlite", true),
  athanorSessionsRunRoute("sqlite"),
  athanorAutocommitRoute("sqlite"),
];
