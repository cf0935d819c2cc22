import { describe, expect, it } from "vitest";
import { LockTimeoutError, TransactionAbortedError } from "../src/errors.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { databaseOf, suiteAdmin, waitUntil } from "./support/postgres-admin.js";
import { sessionHarness, type SessionFixture } from "./support/session-harness.js";

async function threeItems({ engine }: SessionFixture): Promise<void> {
  await engine.db
    .insertInto("items")
    .values([
      { id: 1, name: "one" },
      { id: 2, name: "two" },
      { id: 3, name: "three" },
    ])
    .execute();
}

describeEachDialect("session row locks", (ctx) => {
  const setup = sessionHarness(ctx);
  const suiteAdminOf = suiteAdmin(ctx);

  /** Resolves once another transaction is queued behind the lock (a row lock on PostgreSQL, the writer on SQLite). */
  async function waitUntilBlocked(fixture: SessionFixture): Promise<void> {
    if (suiteAdminOf() === undefined) {
      await waitUntil("a session waiting for the writer", () => fixture.engine.pool.status().waiting === 1);
      return;
    }
    const database = databaseOf(ctx.url());
    await waitUntil("a backend waiting for a row lock", async () => {
      const rows = await suiteAdminOf()!.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'",
        [database],
      );
      return rows[0]!.n === 1;
    });
  }

  // PGlite: the second transaction waits for the one connection, not for the row lock (and the test watches the server's lock waits).
  it.skipIf(ctx.isPglite)("forUpdate() makes a second locking transaction wait until the first commits, then it reads the new value", async () => {
    const fixture = await setup();
    await threeItems(fixture);
    const { sessions } = fixture;
    const first = sessions.open();
    const locked = await first.selectFrom("items").selectAll().where("id", "=", 1).forUpdate().executeTakeFirstOrThrow();
    expect(locked.qty).toBe(0);

    let secondDone = false;
    const second = sessions.run(async (db) => {
      const row = await db.selectFrom("items").select("qty").where("id", "=", 1).forUpdate().executeTakeFirstOrThrow();
      secondDone = true;
      await db.updateTable("items").set({ qty: row.qty + 1 }).where("id", "=", 1).execute();
      return row.qty;
    });
    await waitUntilBlocked(fixture);
    expect(secondDone).toBe(false);

    await first.updateTable("items").set({ qty: locked.qty + 10 }).where("id", "=", 1).execute();
    await first.commit();
    // Without the lock, the second would have read 0 and the first's +10 would be lost.
    expect(await second).toBe(10);
    await first.close();
    const final = await fixture.engine.db.selectFrom("items").select("qty").where("id", "=", 1).executeTakeFirstOrThrow();
    expect(final.qty).toBe(11);
  });

  it("row-lock modifiers compile for PostgreSQL and to nothing for SQLite", async () => {
    const { sessions } = await setup();
    const db = sessions.open();
    const compiled = db.selectFrom("items").selectAll().where("id", "=", 1).forUpdate().skipLocked().compile().sql;
    const shared = db.selectFrom("items").selectAll().forShare().noWait().compile().sql;
    if (ctx.isPostgres) {
      expect(compiled).toMatch(/for update skip locked$/);
      expect(shared).toMatch(/for share nowait$/);
    } else {
      expect(compiled).not.toMatch(/for update|skip locked/i);
      expect(shared).not.toMatch(/for share|nowait/i);
    }
    await db.close();
  });

  it("every row-lock modifier runs and returns rows in a session", async () => {
    const fixture = await setup();
    await threeItems(fixture);
    const results = await fixture.sessions.run(async (db) => {
      const base = () => db.selectFrom("items").select("name").orderBy("id");
      return [
        await base().forUpdate().execute(),
        await base().forShare().execute(),
        await base().forNoKeyUpdate().execute(),
        await base().forKeyShare().execute(),
        await base().forUpdate().skipLocked().execute(),
        await base().forUpdate().noWait().execute(),
      ];
    });
    for (const rows of results) expect(rows.map((row) => row.name)).toEqual(["one", "two", "three"]);
  });

  // Row locks between concurrent transactions: a server (PGlite runs one session at a time).
  describe.runIf(ctx.isServer)("PostgreSQL", () => {
    it("skipLocked() skips a row another transaction has locked", async () => {
      const fixture = await setup();
      await threeItems(fixture);
      const { sessions } = fixture;
      const worker1 = sessions.open();
      const claimed1 = await worker1.selectFrom("items").select("id").orderBy("id").limit(1).forUpdate().skipLocked().executeTakeFirstOrThrow();
      const claimed2 = await sessions.run((db) => db.selectFrom("items").select("id").orderBy("id").limit(1).forUpdate().skipLocked().executeTakeFirstOrThrow());
      expect(claimed1.id).toBe(1);
      expect(claimed2.id).toBe(2);
      // Without skipLocked the same query would take row 1 (after waiting for it).
      await worker1.close();
    });

    it("noWait() fails at once with LockTimeoutError on a locked row, aborting that transaction", async () => {
      const fixture = await setup();
      await threeItems(fixture);
      const holder = fixture.sessions.open();
      await holder.selectFrom("items").selectAll().where("id", "=", 2).forUpdate().execute();
      const contender = fixture.sessions.open();
      const error = await rejection(contender.selectFrom("items").selectAll().where("id", "=", 2).forUpdate().noWait().execute());
      expect(error).toBeInstanceOf(LockTimeoutError);
      await expect(contender.selectFrom("items").selectAll().execute()).rejects.toBeInstanceOf(TransactionAbortedError);
      await Promise.all([holder.close(), contender.close()]);
    });

    it("forShare() lets other sharers in and keeps writers out until it ends", async () => {
      const fixture = await setup();
      await threeItems(fixture);
      const { sessions } = fixture;
      const sharer1 = sessions.open();
      const sharer2 = sessions.open();
      await sharer1.selectFrom("items").selectAll().where("id", "=", 3).forShare().execute();
      // A second share lock on the same row is granted while the first is held.
      expect(await sharer2.selectFrom("items").select("name").where("id", "=", 3).forShare().executeTakeFirstOrThrow()).toEqual({ name: "three" });
      await sharer2.commit();

      let written = false;
      const writer = sessions.run(async (db) => {
        await db.updateTable("items").set({ qty: 3 }).where("id", "=", 3).execute();
        written = true;
      });
      await waitUntilBlocked(fixture);
      expect(written).toBe(false);
      await sharer1.commit();
      await writer;
      expect(written).toBe(true);
      await Promise.all([sharer1.close(), sharer2.close()]);
    });
  });
});
