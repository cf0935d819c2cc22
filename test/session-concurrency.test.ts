import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "./support/each-dialect.js";
import { databaseOf, suiteAdmin } from "./support/postgres-admin.js";
import { itemNames, sessionHarness } from "./support/session-harness.js";

const CALLS = 200;

class ExpectedFailure extends Error {}

describeEachDialect("session concurrency", (ctx) => {
  const setup = sessionHarness(ctx);
  const suiteAdminOf = suiteAdmin(ctx);

  it(`${CALLS} concurrent run() calls over a pool of 10 all finish, and every connection comes back clean`, async () => {
    const { engine, sessions } = await setup({ engine: { pool: { size: 10, maxOverflow: 0 } } });
    await engine.db.insertInto("items").values({ id: 0, name: "counter", qty: 0 }).execute();
    let peakCheckedOut = 0;
    engine.on("checkout", () => {
      peakCheckedOut = Math.max(peakCheckedOut, engine.pool.status().checkedOut);
    });

    // Every 10th call only reads (read-only), every 7th writes and then fails (rolled back), the rest write and commit.
    const kinds = Array.from({ length: CALLS }, (_, i) => (i % 10 === 0 ? "read" : i % 7 === 0 ? "fail" : "write"));
    const results = await Promise.allSettled(
      kinds.map((kind, i) =>
        kind === "read"
          ? sessions.run(async (db) => (await db.selectFrom("items").select("qty").where("id", "=", 0).executeTakeFirstOrThrow()).qty, { readOnly: true })
          : sessions.run(async (db) => {
              await db.insertInto("items").values({ id: i + 1, name: `call ${i}` }).execute();
              await db.updateTable("items").set({ qty: sql`qty + 1` }).where("id", "=", 0).execute();
              if (kind === "fail") throw new ExpectedFailure(`call ${i}`);
              return i;
            }),
      ),
    );

    const unexpected = results.filter((result, i) => result.status === "rejected" && !(kinds[i] === "fail" && result.reason instanceof ExpectedFailure));
    expect(unexpected).toEqual([]);
    expect(results.filter((result) => result.status === "rejected")).toHaveLength(kinds.filter((kind) => kind === "fail").length);

    const committed = kinds.filter((kind) => kind === "write").length;
    const counter = await engine.db.selectFrom("items").select("qty").where("id", "=", 0).executeTakeFirstOrThrow();
    expect(counter.qty).toBe(committed);
    expect((await itemNames(engine)).filter((name) => name.startsWith("call "))).toHaveLength(committed);

    const status = engine.pool.status();
    expect(status).toMatchObject({ checkedOut: 0, waiting: 0, timeouts: 0 });
    if (ctx.isPostgres) {
      expect(peakCheckedOut).toBeLessThanOrEqual(10);
      expect(status.total).toBeLessThanOrEqual(10);
      const backends = await suiteAdminOf()!.query<{ state: string | null }>("select state from pg_stat_activity where datname = $1 and backend_type = 'client backend'", [
        databaseOf(ctx.url()),
      ]);
      expect(backends.filter((backend) => backend.state?.startsWith("idle in transaction"))).toEqual([]);
      // With ?pipeline=2 the reads on engine.db above used the pipelined connections, beside the pool.
      expect(backends.length).toBeLessThanOrEqual(ctx.isPipelined ? 12 : 10);
    }
  });

  it("statements issued together on one session run in its one transaction", async () => {
    const { engine, sessions } = await setup();
    const db = sessions.open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.insertInto("items").values({ id: i, name: `row ${i}` }).execute()));
    expect(engine.pool.status().checkedOut).toBe(1);
    await db.rollback();
    expect(await itemNames(engine)).toEqual([]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.insertInto("items").values({ id: i, name: `row ${i}` }).execute()));
    await db.commit();
    await db.close();
    expect(await itemNames(engine)).toHaveLength(20);
  });

  it("write sessions started together queue for the database instead of failing", async () => {
    // SQLite: one writer under an async mutex (BEGIN IMMEDIATE, never SQLITE_BUSY within a process).
    // PostgreSQL: row locks on the shared counter row.
    const { engine, sessions } = await setup({ engine: { pool: { size: 2, maxOverflow: 0 } } });
    await engine.db.insertInto("items").values({ id: 1, name: "counter", qty: 0 }).execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        sessions.run(async (db) => {
          const { qty } = await db.selectFrom("items").select("qty").where("id", "=", 1).forUpdate().executeTakeFirstOrThrow();
          await new Promise((resolve) => setImmediate(resolve));
          await db.updateTable("items").set({ qty: qty + 1 }).where("id", "=", 1).execute();
        }),
      ),
    );
    const { qty } = await engine.db.selectFrom("items").select("qty").where("id", "=", 1).executeTakeFirstOrThrow();
    expect(qty).toBe(20);
    expect(engine.pool.status().checkedOut).toBe(0);
  });
});
