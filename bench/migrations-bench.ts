/**
 * Applying 200 generated revisions (tables, columns, indexes) to head on each dialect:
 * total time, and Athanor's per-revision overhead beyond the DDL itself (the same DDL run
 * directly, one transaction per revision, on a fresh database).
 *
 *   npm run bench:migrations            (BENCH_REVISIONS, BENCH_RUNS to change the size)
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { createEngine } from "../src/index.js";
import { createMigrator, loadRevisionScripts } from "../src/migrate/index.js";
import { createTestDatabase, postgresReachable, type TestDialectName } from "../src/testing/index.js";

const REVISIONS = Number(process.env.BENCH_REVISIONS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Revision i: every third creates a table, the others add a column or an index to the latest table. */
function ddlFor(index: number): string[] {
  const table = `bench_t${Math.floor(index / 3)}`;
  switch (index % 3) {
    case 0:
      return [`create table ${table} (id integer primary key, name varchar(100) not null)`];
    case 1:
      return [`alter table ${table} add column note${index} text`];
    default:
      return [`create index ix_${table}_name_${index} on ${table} (name)`];
  }
}

async function writeRevisions(folder: string): Promise<void> {
  for (let index = 0; index < REVISIONS; index++) {
    const statements = ddlFor(index).map((statement) => `    await op.execute(${JSON.stringify(statement)});`).join("\n");
    const down = index === 0 ? null : `r${String(index - 1).padStart(4, "0")}`;
    await writeFile(
      join(folder, `${String(index).padStart(4, "0")}_r.mjs`),
      `export default {\n  revision: "r${String(index).padStart(4, "0")}",\n  downRevision: ${JSON.stringify(down)},\n  message: "generated ${index}",\n  async up(op) {\n${statements}\n  },\n};\n`,
    );
  }
}

async function timeMigrator(dialect: TestDialectName, folder: string): Promise<number> {
  const database = await createTestDatabase(dialect);
  const engine = createEngine(database.url);
  try {
    const scripts = await loadRevisionScripts(folder);
    const startedAt = performance.now();
    const result = await createMigrator(engine, { scripts }).upgrade("head");
    const elapsed = performance.now() - startedAt;
    if (!result.ok) throw result.error;
    return elapsed;
  } finally {
    await engine.dispose();
    await database.drop();
  }
}

async function timeRawDdl(dialect: TestDialectName): Promise<number> {
  const database = await createTestDatabase(dialect);
  const engine = createEngine(database.url);
  try {
    const startedAt = performance.now();
    for (let index = 0; index < REVISIONS; index++) {
      await engine.db.transaction().execute(async (trx) => {
        for (const statement of ddlFor(index)) await sql.raw(statement).execute(trx);
      });
    }
    return performance.now() - startedAt;
  } finally {
    await engine.dispose();
    await database.drop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const folder = await mkdtemp(join(tmpdir(), "athanor-bench-migrations-"));
try {
  await writeRevisions(folder);
  const dialects: TestDialectName[] = ["sqlite-file", ...((await postgresReachable()) ? (["postgres"] as const) : [])];
  const rows: string[] = [];
  for (const dialect of dialects) {
    const migrator: number[] = [];
    const raw: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      raw.push(await timeRawDdl(dialect));
      migrator.push(await timeMigrator(dialect, folder));
    }
    const total = median(migrator);
    const ddl = median(raw);
    rows.push(`| ${dialect} | ${REVISIONS} | ${total.toFixed(0)} ms | ${ddl.toFixed(0)} ms | ${((total - ddl) / REVISIONS).toFixed(2)} ms |`);
  }
  console.log(`\nMigrations: ${REVISIONS} generated revisions to head (median of ${RUNS} runs)\n`);
  console.log("| dialect | revisions | athanor upgrade head | same DDL, one transaction each | overhead per revision |");
  console.log("|---|---|---|---|---|");
  for (const row of rows) console.log(row);
} finally {
  await rm(folder, { recursive: true, force: true });
}
