import type { Contender } from "./contender.js";
import { athanorCompiled } from "./contenders/athanor-compiled.js";
import { athanorEngine } from "./contenders/athanor-engine.js";
import { athanorSessions } from "./contenders/athanor-sessions.js";
import { athanorWithSchema } from "./contenders/athanor-with-schema.js";
import { drizzlePostgres } from "./contenders/drizzle-postgres.js";
import { drizzleSqlite } from "./contenders/drizzle-sqlite.js";
import { kyselyPostgres } from "./contenders/kysely-postgres.js";
import { kyselySqlite } from "./contenders/kysely-sqlite.js";
import { pgNamedStatements } from "./contenders/pg-named-statements.js";
import { pgPipelined } from "./contenders/pg-pipelined.js";
import { postgresJs } from "./contenders/postgres-js.js";
import { rawBetterSqlite3 } from "./contenders/raw-better-sqlite3.js";
import { rawPg } from "./contenders/raw-pg.js";

/**
 * Everything `npm run bench` measures, in table order. To add a contender (e.g. Athanor
 * sessions, `sessions.run((db) => selectItem(db, id))`), write a file in `contenders/`
 * implementing {@link Contender} and list it here; scenarios it leaves out are skipped.
 * Each contender is opened in a process of its own (`contender-worker.ts`), found here by
 * dialect and name, so names must be unique per dialect.
 */
export const contenders: readonly Contender[] = [
  rawPg,
  pgNamedStatements,
  pgPipelined,
  postgresJs,
  kyselyPostgres,
  drizzlePostgres,
  athanorEngine("postgres"),
  athanorSessions("postgres"),
  athanorSessions("postgres", true),
  athanorWithSchema("postgres"),
  athanorWithSchema("postgres", Number(process.env.BENCH_PIPELINE_CONNECTIONS ?? 2)),
  athanorCompiled("postgres"),
  rawBetterSqlite3,
  kyselySqlite,
  drizzleSqlite,
  athanorEngine("sqlite"),
  athanorSessions("sqlite"),
  athanorSessions("sqlite", true),
  athanorWithSchema("sqlite"),
  athanorCompiled("sqlite"),
];
