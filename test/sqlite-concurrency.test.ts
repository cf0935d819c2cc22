import { setTimeout as sleep } from "node:timers/promises";
import { sql, type Kysely } from "kysely";
import { expect, it } from "vitest";
import type { SqliteConnectionHandle } from "../src/engine/engine-options.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, engineFactory } from "./support/engines.js";

async function createCounter(db: Kysely<any>): Promise<void> {
  await sql`create table counters (id integer primary key, value integer not null)`.execute(db);
  await sql`insert into counters (id, value) values (1, 0)`.execute(db);
}

/** A query-builder SELECT: outside a transaction it runs on a file database's autocommit reader (raw `sql` goes to the writer). */
async function counter(db: Kysely<any>): Promise<number> {
  const row = await db.selectFrom("counters").select("value").where("id", "=", 1).executeTakeFirstOrThrow();
  return Number(row.value);
}

/** Reads a pragma through its table-valued function, so it is a SELECT and runs where SELECTs run. */
async function pragma(db: Kysely<any>, name: string): Promise<unknown> {
  const row = await db.selectFrom(sql.raw(`pragma_${name}()`).as("p")).selectAll().executeTakeFirstOrThrow();
  return Object.values(row)[0];
}

describeEachDialect(
  "SQLite concurrency",
  (ctx) => {
    const open = engineFactory();

    it("50 concurrent read-modify-write transactions: no SQLITE_BUSY, no lost write, the event loop keeps turning", async () => {
      const engine = open(await ctx.freshUrl(), { sqlite: { busyTimeoutMillis: 100 } });
      await createCounter(engine.db);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 1);
      try {
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, () =>
            engine.db.transaction().execute(async (trx) => {
              const value = await counter(trx);
              // Application work between read and write: the next writer must wait without blocking the loop.
              await sleep(1);
              await sql`update counters set value = ${value + 1} where id = 1`.execute(trx);
            }),
          ),
        );
        const failures = results.filter((result) => result.status === "rejected");
        expect(failures.map((failure) => String((failure as PromiseRejectedResult).reason))).toEqual([]);
      } finally {
        clearInterval(ticker);
      }
      expect(await counter(engine.db)).toBe(50);
      expect(ticks).toBeGreaterThan(0);
      expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0, timeouts: 0 });
    });

    it("autocommit writes interleaved with transactions are serialised too", async () => {
      const engine = open(await ctx.freshUrl());
      await createCounter(engine.db);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? sql`update counters set value = value + 1 where id = 1`.execute(engine.db)
            : engine.db.transaction().execute(async (trx) => {
                const value = await counter(trx);
                await sleep(0);
                await sql`update counters set value = ${value + 1} where id = 1`.execute(trx);
              }),
        ),
      );
      expect(await counter(engine.db)).toBe(20);
    });

    it("sets foreign_keys, busy_timeout and REGEXP on every connection, and WAL on files", async () => {
      const engine = open(await ctx.freshUrl(), { sqlite: { busyTimeoutMillis: 1_234 } });
      const pragmas = async (db: Kysely<any>) => ({
        foreignKeys: await pragma(db, "foreign_keys"),
        busyTimeout: await pragma(db, "busy_timeout"),
        journalMode: await pragma(db, "journal_mode"),
        regexp: (await db.selectNoFrom(sql<number>`'abc' regexp '^a'`.as("m")).executeTakeFirstOrThrow()).m,
      });
      const expected = { foreignKeys: 1, busyTimeout: 1_234, journalMode: ctx.name === "sqlite-file" ? "wal" : "memory", regexp: 1 };
      // Autocommit SELECTs (the autocommit reader on files), a write transaction (the writer), a read-only transaction (a reader of its own on files).
      expect(await pragmas(engine.db)).toEqual(expected);
      expect(await engine.db.transaction().execute(pragmas)).toEqual(expected);
      expect(await engine.db.transaction().setAccessMode("read only").execute(pragmas)).toEqual(expected);
      // Raw statements outside a transaction run on the writer.
      expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(engine.db)).rows[0]!.foreign_keys).toBe(1);
      expect(engine.pool.status().total).toBe(ctx.name === "sqlite-file" ? 3 : 1);
    });

    it("sqlite.onConnect registers a function usable from every connection", async () => {
      const seen: SqliteConnectionHandle[] = [];
      const engine = open(await ctx.freshUrl(), {
        sqlite: {
          onConnect: (connection) => {
            seen.push(connection);
            connection.function("double_it", { deterministic: true }, (value: number) => value * 2);
          },
        },
      });
      await createCounter(engine.db);
      const read = async (db: Kysely<any>) => (await db.selectFrom("counters").select(sql<number>`double_it(21)`.as("v")).executeTakeFirstOrThrow()).v;
      expect(await read(engine.db)).toBe(42);
      expect(await engine.db.transaction().execute(read)).toBe(42);
      expect(await engine.db.transaction().setAccessMode("read only").execute(read)).toBe(42);
      await sql`update counters set value = double_it(value + 5)`.execute(engine.db);
      expect(await counter(engine.db)).toBe(10);
      // Writer, autocommit reader and one transaction reader on files; the one shared connection in memory.
      expect(seen.length).toBe(ctx.name === "sqlite-file" ? 3 : 1);
    });

    it("a throwing sqlite.onConnect fails the statement with ConnectHookError and leaves nothing open", async () => {
      const engine = open(await ctx.freshUrl(), {
        sqlite: {
          onConnect: () => {
            throw new Error("extension missing");
          },
        },
      });
      await expect(sql`select 1`.execute(engine.db)).rejects.toMatchObject({ code: "CONNECT_HOOK_FAILED", message: expect.stringContaining("extension missing") });
      expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0 });
    });
  },
  ["sqlite-memory", "sqlite-file"],
);

describeEachDialect(
  "SQLite in memory",
  () => {
    const open = engineFactory();

    it("every connection sees the same data: autocommit and later transactions read what a transaction wrote", async () => {
      const engine = open("sqlite::memory:");
      await engine.db.transaction().execute(async (trx) => {
        await createCounter(trx);
        await sql`update counters set value = 7 where id = 1`.execute(trx);
      });
      expect(await counter(engine.db)).toBe(7);
      expect(await engine.db.transaction().execute(counter)).toBe(7);
      expect(await engine.db.transaction().setAccessMode("read only").execute(counter)).toBe(7);
    });

    it("an autocommit read waits for an open write transaction instead of seeing its uncommitted rows", async () => {
      const engine = open("sqlite::memory:");
      await createCounter(engine.db);
      const written = deferred();
      const finish = deferred();
      const writer = engine.db.transaction().execute(async (trx) => {
        await sql`update counters set value = 99 where id = 1`.execute(trx);
        written.resolve();
        await finish.promise;
        throw new Error("roll back");
      });
      await written.promise;
      const read = counter(engine.db);
      finish.resolve();
      await expect(writer).rejects.toThrow("roll back");
      expect(await read).toBe(0);
    });

    it("two engines on sqlite::memory: are two separate databases", async () => {
      const first = open("sqlite::memory:");
      const second = open("sqlite::memory:");
      await createCounter(first.db);
      await expect(counter(second.db)).rejects.toMatchObject({ code: "DATABASE_ERROR", message: expect.stringContaining("no such table") });
    });
  },
  ["sqlite-memory"],
);

describeEachDialect(
  "SQLite file readers",
  (ctx) => {
    const open = engineFactory();

    it("a read-only transaction reads a stable snapshot while the writer commits", async () => {
      const engine = open(await ctx.freshUrl());
      await createCounter(engine.db);
      const committed = await engine.db
        .transaction()
        .setAccessMode("read only")
        .execute(async (trx) => {
          const before = await counter(trx);
          await engine.db.transaction().execute((w) => sql`update counters set value = 5 where id = 1`.execute(w));
          await sql`update counters set value = 6 where id = 1`.execute(engine.db);
          const after = await counter(trx);
          return { before, after, outside: await counter(engine.db) };
        });
      expect(committed).toEqual({ before: 0, after: 0, outside: 6 });
      expect(await engine.db.transaction().setAccessMode("read only").execute(counter)).toBe(6);
    });

    it("read-only transactions do not wait for an open write transaction", async () => {
      // A read that waited for the writer would time out instead of finishing below.
      const engine = open(await ctx.freshUrl(), { pool: { acquireTimeoutMillis: 2_000 } });
      await createCounter(engine.db);
      const written = deferred();
      const finish = deferred();
      const writer = engine.db.transaction().execute(async (trx) => {
        await sql`update counters set value = 1 where id = 1`.execute(trx);
        written.resolve();
        await finish.promise;
      });
      await written.promise;
      // Both run and finish while the writer still holds its transaction open.
      const [readOnly, autocommit] = await Promise.all([engine.db.transaction().setAccessMode("read only").execute(counter), counter(engine.db)]);
      expect({ readOnly, autocommit }).toEqual({ readOnly: 0, autocommit: 0 });
      expect(engine.pool.status().checkedOut).toBe(1);
      finish.resolve();
      await writer;
      expect(await counter(engine.db)).toBe(1);
    });

    it("more concurrent read-only transactions than pool.size wait for a reader and all complete", async () => {
      const engine = open(await ctx.freshUrl(), { pool: { size: 2 } });
      await createCounter(engine.db);
      const values = await Promise.all(
        Array.from({ length: 6 }, () =>
          engine.db
            .transaction()
            .setAccessMode("read only")
            .execute(async (trx) => {
              const value = await counter(trx);
              await sleep(1);
              return value;
            }),
        ),
      );
      expect(values).toEqual([0, 0, 0, 0, 0, 0]);
      expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0 });
    });
  },
  ["sqlite-file"],
);
