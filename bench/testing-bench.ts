/**
 * The speed of an isolated test: N tests, each inserting 20 rows across 3 foreign-key-linked
 * tables through the code's session factory and asserting a count, under four isolation
 * strategies, on each dialect:
 *   (a) create_all / drop_all around every test (the seed documents' pattern);
 *   (b) TRUNCATE (SQLite: DELETE) of every table after every test;
 *   (c) a new database per test, copied from a migrated template (PostgreSQL; PGlite: a fresh in-memory instance);
 *   (d) the sandbox: one rolled-back transaction per test (athanor/testing).
 *
 *   npm run bench:testing        (BENCH_TESTS, default 500; BENCH_DIALECTS=postgres,sqlite-memory,sqlite-file,pglite)
 */
import { sql } from "kysely";
import { createEngine, createSessionFactory, type Engine, type SessionFactory } from "../src/index.js";
import { defineSchema, dropAll, initializeDatabase, table, text, uuid, type InferDatabase } from "../src/schema/index.js";
import { createTemplateDatabase, createTestDatabase, dropTemplateDatabase, openSandbox, postgresReachable, type TestDialectName } from "../src/testing/index.js";

const TESTS = Number(process.env.BENCH_TESTS ?? 500);
/** Strategy (c) creates and drops a database per test: measured over fewer tests. */
const TEMPLATE_TESTS = Math.max(10, Math.floor(TESTS / 10));

const users = table("bench_users", { id: uuid().primaryKey().defaultRandom(), email: text().notNull().unique() });
const squads = table("bench_squads", { id: uuid().primaryKey().defaultRandom(), userId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }), name: text().notNull() });
const members = table("bench_members", { id: uuid().primaryKey().defaultRandom(), squadId: uuid().notNull().references(() => squads.id, { onDelete: "cascade" }), name: text().notNull() });
const schema = defineSchema({ users, squads, members });
type DB = InferDatabase<typeof schema>;

/** One test's body: 2 users, 6 squads, 12 members (20 rows) through the code's sessions, then a count. */
async function testBody(sessions: SessionFactory<DB>, index: number): Promise<void> {
  await sessions.run(async (db) => {
    for (let u = 0; u < 2; u++) {
      const user = await db.insertInto("bench_users").values({ email: `u${index}-${u}@example.com` }).returning("id").executeTakeFirstOrThrow();
      for (let s = 0; s < 3; s++) {
        const squad = await db.insertInto("bench_squads").values({ userId: user.id, name: `s${s}` }).returning("id").executeTakeFirstOrThrow();
        await db.insertInto("bench_members").values([{ squadId: squad.id, name: "a" }, { squadId: squad.id, name: "b" }]).execute();
      }
    }
  });
  const { count } = await sessions.engine.db.selectFrom("bench_members").select((eb) => eb.fn.countAll().as("count")).executeTakeFirstOrThrow();
  if (Number(count) !== 12) throw new Error(`test ${index}: expected 12 members, found ${count} (isolation failed)`);
}

type Strategy = (dialect: TestDialectName, url: string, tests: number) => Promise<void>;

const strategies: Record<string, Strategy> = {
  "(a) create_all / drop_all": async (_dialect, url, tests) => {
    const engine = createEngine(url, { schema });
    const sessions = createSessionFactory(engine);
    for (let i = 0; i < tests; i++) {
      await initializeDatabase(engine, schema);
      await testBody(sessions, i);
      await dropAll(engine, schema);
    }
    await engine.dispose();
  },
  "(b) truncate": async (dialect, url, tests) => {
    const engine = createEngine(url, { schema });
    const sessions = createSessionFactory(engine);
    await initializeDatabase(engine, schema);
    for (let i = 0; i < tests; i++) {
      await testBody(sessions, i);
      await truncate(engine, dialect);
    }
    await dropAll(engine, schema);
    await engine.dispose();
  },
  "(c) database from a template": async (dialect, url, tests) => {
    if (dialect === "pglite") {
      // No templates in PGlite: a fresh in-memory instance per test (booted from the cached initdb image), schema created in it.
      for (let i = 0; i < tests; i++) {
        const database = await createTestDatabase("pglite");
        const engine = createEngine(database.url, { schema });
        await initializeDatabase(engine, schema);
        await testBody(createSessionFactory(engine), i);
        await engine.dispose();
        await database.drop();
      }
      return;
    }
    if (dialect !== "postgres") return;
    const template = await createTemplateDatabase({
      adminUrl: url,
      key: `bench-${Date.now()}`,
      prepare: async (templateUrl) => {
        const engine = createEngine(templateUrl, { schema });
        await initializeDatabase(engine, schema);
        await engine.dispose();
      },
    });
    for (let i = 0; i < tests; i++) {
      const database = await createTestDatabase("postgres", { adminUrl: url, template: template.name });
      const engine = createEngine(database.url, { schema });
      await testBody(createSessionFactory(engine), i);
      await engine.dispose();
      await database.drop();
    }
    await dropTemplateDatabase(template.name, url);
  },
  "(d) sandbox": async (_dialect, url, tests) => {
    const engine = createEngine(url, { schema });
    await initializeDatabase(engine, schema);
    for (let i = 0; i < tests; i++) {
      const sandbox = await openSandbox(engine);
      await testBody(sandbox.sessions, i);
      await sandbox.close();
    }
    await dropAll(engine, schema);
    await engine.dispose();
  },
};

async function truncate(engine: Engine<DB>, dialect: TestDialectName): Promise<void> {
  if (dialect === "postgres" || dialect === "pglite") {
    await sql`truncate bench_members, bench_squads, bench_users`.execute(engine.db);
    return;
  }
  await engine.db.transaction().execute(async (trx) => {
    for (const name of ["bench_members", "bench_squads", "bench_users"] as const) await trx.deleteFrom(name).execute();
  });
}

const requested = (process.env.BENCH_DIALECTS ?? "postgres,sqlite-memory,sqlite-file,pglite").split(",").map((name) => name.trim()) as TestDialectName[];
const rows: string[] = [];
for (const dialect of requested) {
  if (dialect === "postgres" && !(await postgresReachable())) {
    process.stderr.write("[bench:testing] PostgreSQL unreachable: skipped\n");
    continue;
  }
  const database = await createTestDatabase(dialect);
  const rates: Record<string, number> = {};
  for (const [name, strategy] of Object.entries(strategies)) {
    if (name.startsWith("(c)") && dialect !== "postgres" && dialect !== "pglite") continue;
    const tests = name.startsWith("(c)") ? TEMPLATE_TESTS : TESTS;
    process.stderr.write(`[bench:testing] ${dialect} ${name}: ${tests} tests\n`);
    const startedAt = performance.now();
    await strategy(dialect, database.url, tests);
    rates[name] = tests / ((performance.now() - startedAt) / 1000);
  }
  await database.drop();
  const sandbox = rates["(d) sandbox"]!;
  for (const [name, rate] of Object.entries(rates)) {
    rows.push(`| ${dialect} | ${name} | ${rate.toFixed(0)} | ${(sandbox / rate).toFixed(1)}× |`);
  }
}
console.log(`\nIsolated tests: ${TESTS} tests (template strategy ${TEMPLATE_TESTS}), each 20 rows over 3 FK-linked tables and a count\n`);
console.log("| dialect | strategy | tests/s | sandbox is faster by |");
console.log("|---|---|---:|---:|");
for (const row of rows) console.log(row);
