import { sql, type Kysely } from "kysely";
import { expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import { AthanorError, EngineDisposedError } from "../src/errors.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, engineFactory, rejection } from "./support/engines.js";

async function createItems(db: Kysely<any>): Promise<void> {
  await sql`create table if not exists items (name text not null)`.execute(db);
}

async function countItems(db: Kysely<any>): Promise<number> {
  const row = await db.selectFrom("items").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

function expectDisposed(error: Error): void {
  expect(error).toBeInstanceOf(EngineDisposedError);
  expect((error as EngineDisposedError).code).toBe("ENGINE_DISPOSED");
}

describeEachDialect("engine dispose", (ctx) => {
  const open = engineFactory();

  it("is idempotent: every call returns the same settled promise", async () => {
    const engine = open(ctx.url());
    await sql`select 1 as one`.execute(engine.db);
    const first = engine.dispose();
    const second = engine.dispose();
    expect(second).toBe(first);
    await Promise.all([first, second, engine.dispose()]);
    expect(engine.disposed).toBe(true);
    await engine.dispose();
    expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0 });
  });

  it("works on an engine that never connected", async () => {
    const engine = open(ctx.url());
    await engine.dispose();
    expect(engine.pool.status()).toMatchObject({ total: 0, created: 0 });
  });

  it("queries after dispose fail with EngineDisposedError: autocommit reads and writes, transactions", async () => {
    const engine = open(await ctx.freshUrl());
    await createItems(engine.db);
    await engine.dispose();
    expectDisposed(await rejection(countItems(engine.db)));
    expectDisposed(await rejection(sql`insert into items (name) values ('x')`.execute(engine.db)));
    expectDisposed(await rejection(engine.db.insertInto("items").values({ name: "x" }).execute()));
    expectDisposed(await rejection(engine.db.transaction().execute((trx) => countItems(trx))));
    expectDisposed(await rejection(engine.db.transaction().setAccessMode("read only").execute((trx) => countItems(trx))));
  });

  it("healthCheck after dispose returns status error and does not throw", async () => {
    const engine = open(ctx.url());
    expect((await engine.healthCheck()).status).toBe("ok");
    await engine.dispose();
    const report = await engine.healthCheck();
    expect(report).toMatchObject({ status: "error", version: null });
    expect(report.message).toContain("disposed");
  });

  it("await using disposes at the end of the scope", async () => {
    let escaped: ReturnType<typeof createEngine> | undefined;
    {
      await using engine = createEngine(ctx.url());
      escaped = engine;
      await sql`select 1 as one`.execute(engine.db);
    }
    expect(escaped.disposed).toBe(true);
    expectDisposed(await rejection(sql`select 1 as one`.execute(escaped.db)));
  });

  it("waits for a transaction that ends within the grace period: its commit goes through", async () => {
    const url = await ctx.freshUrl();
    const engine = open(url);
    await createItems(engine.db);
    const inside = deferred();
    const disposing = deferred();
    const holder = engine.db.transaction().execute(async (trx) => {
      await sql`insert into items (name) values ('kept')`.execute(trx);
      inside.resolve();
      await disposing.promise;
      await sql`insert into items (name) values ('kept too')`.execute(trx);
    });
    await inside.promise;
    const disposed = engine.dispose();
    // New work is refused at once while the holder finishes.
    expectDisposed(await rejection(engine.db.transaction().execute((trx) => countItems(trx))));
    disposing.resolve();
    await holder;
    await disposed;
    if (ctx.name !== "sqlite-memory") {
      const reader = open(url);
      expect(await countItems(reader.db)).toBe(2);
    }
  });

  it("closes a connection still checked out after the grace period under its holder", async () => {
    const url = await ctx.freshUrl();
    const engine = open(url, { pool: { disposeGraceMillis: 50 } });
    await createItems(engine.db);
    const inside = deferred<number | undefined>();
    const resume = deferred();
    const holder = rejection(
      engine.db.transaction().execute(async (trx) => {
        await sql`insert into items (name) values ('lost')`.execute(trx);
        const pid = ctx.isServer ? (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid : undefined;
        inside.resolve(pid);
        await resume.promise;
        await countItems(trx);
      }),
    );
    const pid = await inside.promise;
    await engine.dispose();
    expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0 });
    resume.resolve();
    const error = await holder;
    expect(error).toBeInstanceOf(AthanorError);
    expect((error as AthanorError).code).toBe("CONNECTION_LOST");
    if (ctx.name === "sqlite-memory") return;
    // The uncommitted insert was rolled back and the database's locks were released.
    const other = open(url, { sqlite: { busyTimeoutMillis: 0 } });
    await other.db.transaction().execute(async (trx) => {
      expect(await countItems(trx)).toBe(0);
      await sql`insert into items (name) values ('after')`.execute(trx);
    });
    if (pid !== undefined) {
      for (;;) {
        const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity where pid = ${pid}`.execute(other.db);
        if (Number(rows[0]!.n) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  });

  it.runIf(ctx.isSqlite)("a lease taken before dispose cannot begin afterwards, and opens no connection (SQLite: a lease holds none until it begins)", async () => {
    const engine = open(await ctx.freshUrl());
    await createItems(engine.db);
    const before = engine.pool.status().created;
    const leases = await Promise.all([engine.backend.pool.acquire(), engine.backend.pool.acquire()]);
    await engine.dispose();
    expectDisposed(await rejection(() => leases[0]!.begin({ accessMode: "read only" })));
    expectDisposed(await rejection(() => leases[1]!.begin({})));
    expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0, created: before });
  });

  it.runIf(ctx.name === "sqlite-file")("closes a read-only transaction's reader still checked out after the grace period (SQLite file)", async () => {
    const engine = open(await ctx.freshUrl(), { pool: { disposeGraceMillis: 20 } });
    await createItems(engine.db);
    const inside = deferred();
    const resume = deferred();
    const disconnects: number[] = [];
    engine.on("disconnect", ({ connectionId }) => disconnects.push(connectionId));
    const holder = rejection(
      engine.db
        .transaction()
        .setAccessMode("read only")
        .execute(async (trx) => {
          await countItems(trx);
          inside.resolve();
          await resume.promise;
          await countItems(trx);
        }),
    );
    await inside.promise;
    await engine.dispose();
    const created = engine.pool.status().created;
    expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0, destroyed: created });
    resume.resolve();
    expect(await holder).toMatchObject({ code: "CONNECTION_LOST" });
    // Each connection is reported closed exactly once, also after its holder lets go.
    expect(engine.pool.status().destroyed).toBe(created);
    expect(new Set(disconnects).size).toBe(disconnects.length);
    expect(disconnects.length).toBe(created);
  });
});
