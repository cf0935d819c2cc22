import fc from "fast-check";
import { sql, type Kysely } from "kysely";
import { afterEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import type { LogRecord } from "../src/engine/log-record.js";
import { DatabaseError } from "../src/errors.js";
import { createSessionFactory } from "../src/session/index.js";
import { describeEachDialect, type DialectContext } from "./support/each-dialect.js";
import { fuzzOptions, fuzzRuns, fuzzTimeout } from "./support/fuzz-runs.js";
import { resetItems, type SessionTestDb } from "./support/session-harness.js";

/** What one step of a random flow does; `id` is the row it writes, if any. */
type Step =
  | { readonly kind: "session-commit"; readonly id: number }
  | { readonly kind: "session-rollback"; readonly id: number }
  | { readonly kind: "session-open-savepoint"; readonly id: number }
  | { readonly kind: "autocommit"; readonly id: number }
  | { readonly kind: "stray-begin" }
  | { readonly kind: "stray-savepoint" }
  | { readonly kind: "connection-left-open"; readonly id: number };

/** Flows per dialect: 40 by default, times ATHANOR_FUZZ_SCALE in the nightly-size run. */
const FLOW_RUNS = fuzzRuns(40);

describeEachDialect("a transaction opened by a raw statement outside a session", (ctx) => {
  const engines: Engine<SessionTestDb>[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
  });

  async function open(): Promise<{ engine: Engine<SessionTestDb>; dirty: LogRecord[] }> {
    const dirty: LogRecord[] = [];
    const engine = createEngine<SessionTestDb>(ctx.url(), { log: (record) => record.event === "dirty" && dirty.push(record) });
    engines.push(engine);
    await resetItems(engine.db);
    return { engine, dirty };
  }

  it("a raw BEGIN through engine.db is rolled back with its connection, reported as dirty; later work is unharmed", async () => {
    const { engine, dirty } = await open();
    const sessions = createSessionFactory(engine);
    await sql`begin`.execute(engine.db);
    await engine.db.insertInto("items").values({ id: 1, name: "autocommit" }).execute();
    await sessions.run((db) => db.insertInto("items").values({ id: 2, name: "session" }).execute());
    expect(dirty).toHaveLength(1);
    expect(await durableNames(ctx, engine)).toEqual(["autocommit", "session"]);
  });

  // PostgreSQL refuses SAVEPOINT outside a transaction block; SQLite takes it as a BEGIN.
  it.skipIf(ctx.isPostgres)("a SAVEPOINT outside a transaction (which opens one) is rolled back the same way", async () => {
    const { engine, dirty } = await open();
    await sql`savepoint stray`.execute(engine.db);
    await engine.db.insertInto("items").values({ id: 1, name: "autocommit" }).execute();
    await createSessionFactory(engine).run((db) => db.insertInto("items").values({ id: 2, name: "session" }).execute());
    expect(dirty).toHaveLength(1);
    expect(await durableNames(ctx, engine)).toEqual(["autocommit", "session"]);
  });

  it("inside engine.db.connection(), raw BEGIN … COMMIT is one transaction on one connection", async () => {
    const { engine, dirty } = await open();
    await engine.db.connection().execute(async (db) => {
      await sql`begin`.execute(db);
      await db.insertInto("items").values({ id: 1, name: "a" }).execute();
      await db.insertInto("items").values({ id: 2, name: "b" }).execute();
      await sql`commit`.execute(db);
      await db.insertInto("items").values({ id: 3, name: "after commit" }).execute();
    });
    await engine.db.connection().execute(async (db) => {
      await sql`begin`.execute(db);
      await db.insertInto("items").values({ id: 4, name: "rolled back" }).execute();
      await sql`rollback`.execute(db);
    });
    expect(dirty).toEqual([]);
    expect(engine.pool.status().checkedOut).toBe(0);
    expect(await durableNames(ctx, engine)).toEqual(["a", "after commit", "b"]);
  });

  it("a connection() returned inside its raw transaction is rolled back, and the next session starts clean", async () => {
    const { engine, dirty } = await open();
    await engine.db.connection().execute(async (db) => {
      await sql`begin`.execute(db);
      await db.insertInto("items").values({ id: 1, name: "never committed" }).execute();
    });
    await createSessionFactory(engine).run((db) => db.insertInto("items").values({ id: 2, name: "session" }).execute());
    expect(dirty).toHaveLength(1);
    expect(engine.pool.status().checkedOut).toBe(0);
    expect(await durableNames(ctx, engine)).toEqual(["session"]);
  });

  it(`random flows of sessions, autocommit writes and stray BEGIN/SAVEPOINTs: no session fails, no committed write is lost (${FLOW_RUNS} flows)`, async () => {
    let nextId = 1;
    const write = fc.constant(null).map(() => nextId++);
    const step: fc.Arbitrary<Step> = fc.oneof(
      write.map((id) => ({ kind: "session-commit", id }) as const),
      write.map((id) => ({ kind: "session-rollback", id }) as const),
      write.map((id) => ({ kind: "session-open-savepoint", id }) as const),
      write.map((id) => ({ kind: "autocommit", id }) as const),
      fc.constant({ kind: "stray-begin" } as const),
      fc.constant({ kind: "stray-savepoint" } as const),
      write.map((id) => ({ kind: "connection-left-open", id }) as const),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        // Every flow has an engine of its own (in memory: a database of its own), so a flow
        // that failed cannot make the next one fail.
        const { engine } = await open();
        const sessions = createSessionFactory(engine);
        const committed: string[] = [];
        try {
          for (const [index, item] of steps.entries()) {
            const row = "id" in item ? { id: item.id, name: `row ${item.id}` } : undefined;
            try {
              await runStep(ctx, engine, sessions, item, row);
            } catch (error) {
              throw new Error(`step ${index} (${item.kind}) failed: ${(error as Error).message}`, { cause: error });
            }
            if (item.kind === "session-commit" || item.kind === "session-open-savepoint" || item.kind === "autocommit") committed.push(row!.name);
          }
          expect(engine.pool.status().checkedOut).toBe(0);
          expect(await durableNames(ctx, engine, "id")).toEqual(committed);
        } finally {
          await engine.dispose();
        }
      }),
      fuzzOptions(40),
    );
  }, fuzzTimeout(60_000));
});

async function runStep(
  ctx: DialectContext,
  engine: Engine<SessionTestDb>,
  sessions: ReturnType<typeof createSessionFactory<SessionTestDb>>,
  step: Step,
  row: { id: number; name: string } | undefined,
): Promise<void> {
  const insert = (db: Kysely<SessionTestDb>) => db.insertInto("items").values(row!).execute();
  switch (step.kind) {
    case "session-commit":
      await sessions.run(insert);
      return;
    case "session-rollback":
      await sessions
        .run(async (db) => {
          await insert(db);
          throw new Error("rolled back on purpose");
        })
        .catch((error: Error) => {
          if (error.message !== "rolled back on purpose") throw error;
        });
      return;
    case "session-open-savepoint":
      // Left open: COMMIT ends the savepoints of its transaction.
      await sessions.run(async (db) => {
        await insert(db);
        await sql`savepoint left_open`.execute(db);
      });
      return;
    case "autocommit":
      await insert(engine.db);
      return;
    case "stray-begin":
      await sql`begin`.execute(engine.db);
      return;
    case "stray-savepoint":
      await sql`savepoint stray`.execute(engine.db).catch((error: unknown) => {
        // PostgreSQL refuses it outside a transaction block, and nothing is left open.
        if (!(ctx.isPostgres && error instanceof DatabaseError)) throw error;
      });
      return;
    case "connection-left-open":
      await engine.db.connection().execute(async (db) => {
        await sql`begin`.execute(db);
        await insert(db);
      });
      return;
  }
}

/**
 * Names in `items`, read back by a new engine where the database outlives one (file, server):
 * what was committed must be there, not held in a transaction the old engine never ended.
 */
async function durableNames(ctx: DialectContext, engine: Engine<SessionTestDb>, order: "id" | "name" = "name"): Promise<string[]> {
  const reader = ctx.name === "sqlite-memory" ? engine : createEngine<SessionTestDb>(ctx.url());
  try {
    return (await reader.db.selectFrom("items").select("name").orderBy(order).execute()).map((row) => row.name);
  } finally {
    if (reader !== engine) await reader.dispose();
  }
}
