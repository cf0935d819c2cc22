import { sql } from "kysely";
import { expect, it } from "vitest";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, engineFactory } from "./support/engines.js";

describeEachDialect("engine pool status", (ctx) => {
  const open = engineFactory();

  it("connects lazily: nothing is open or checked out before the first statement", () => {
    const engine = open(ctx.url());
    expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0, created: 0, waiting: 0, timeouts: 0 });
  });

  it("counts one checkout during an open transaction and none after it", async () => {
    const engine = open(ctx.url(), { pool: { size: 2, maxOverflow: 0 } });
    const during = await engine.db.transaction().execute(async (trx) => {
      await sql`select 1 as one`.execute(trx);
      return engine.pool.status();
    });
    expect(during.checkedOut).toBe(1);
    expect(during.total).toBeGreaterThanOrEqual(1);
    const after = engine.pool.status();
    expect(after.checkedOut).toBe(0);
    expect(after.idle).toBe(after.total);
    expect(after.created).toBeGreaterThanOrEqual(1);
  });

  it("returns the connection after a transaction that throws", async () => {
    const engine = open(ctx.url());
    await expect(
      engine.db.transaction().execute(async (trx) => {
        await sql`select 1 as one`.execute(trx);
        expect(engine.pool.status().checkedOut).toBe(1);
        throw new Error("application failure");
      }),
    ).rejects.toThrow("application failure");
    expect(engine.pool.status().checkedOut).toBe(0);
  });

  it("counts a second transaction as waiting while the only connection is held", async () => {
    // PostgreSQL: one connection, no overflow. SQLite: write transactions share the one writer.
    const engine = open(ctx.url(), { pool: { size: 1, maxOverflow: 0 } });
    const held = deferred();
    const release = deferred();
    const first = engine.db.transaction().execute(async (trx) => {
      await sql`select 1 as one`.execute(trx);
      held.resolve();
      await release.promise;
    });
    await held.promise;
    const second = engine.db.transaction().execute((trx) => sql`select 2 as two`.execute(trx));
    await waitUntil(() => engine.pool.status().waiting === 1);
    expect(engine.pool.status()).toMatchObject({ checkedOut: 1, waiting: 1 });
    release.resolve();
    await Promise.all([first, second]);
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0 });
  });

  it("autocommit statements leave nothing checked out", async () => {
    const engine = open(ctx.url());
    await Promise.all(Array.from({ length: 5 }, (_, i) => sql`select ${i} as i`.execute(engine.db)));
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0 });
  });
});

/** Polls a condition until it holds; the test's own timeout bounds it. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
