import Database from "better-sqlite3";
import { sql, type Kysely } from "kysely";
import { expect, it } from "vitest";
import { parseDatabaseUrl } from "../src/engine/database-url.js";
import {
  AthanorError,
  CheckViolationError,
  DeadlockError,
  ForeignKeyViolationError,
  LockTimeoutError,
  NotNullViolationError,
  ReadOnlyViolationError,
  SerializationFailureError,
  UniqueViolationError,
} from "../src/errors.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, engineFactory, rejection } from "./support/engines.js";

async function createTables(db: Kysely<any>): Promise<void> {
  await sql`create table parents (id integer primary key)`.execute(db);
  await sql`create table users (
    id integer primary key,
    email text not null,
    parent_id integer references parents (id),
    price integer,
    constraint uq_users_email unique (email),
    constraint ck_users_price_positive check (price > 0)
  )`.execute(db);
  await sql`insert into parents (id) values (1)`.execute(db);
  await sql`insert into users (id, email, parent_id, price) values (1, 'taken@example.com', 1, 10)`.execute(db);
}

/** The driver's own code on the cause: SQLSTATE on PostgreSQL, the extended result code on SQLite. */
function driverCode(error: AthanorError): unknown {
  return (error.cause as { code?: unknown } | undefined)?.code;
}

describeEachDialect("engine error typing", (ctx) => {
  const open = engineFactory();

  it("unique violation → UniqueViolationError with table, column or constraint and the driver error as cause", async () => {
    const engine = open(await ctx.freshUrl());
    await createTables(engine.db);
    const error = await rejection(sql`insert into users (id, email) values (2, 'taken@example.com')`.execute(engine.db));
    expect(error).toBeInstanceOf(UniqueViolationError);
    const unique = error as UniqueViolationError;
    expect(unique).toMatchObject({ code: "UNIQUE_VIOLATION", retryable: false, table: "users", name: "UniqueViolationError" });
    if (ctx.isPostgres) {
      expect(unique.constraint).toBe("uq_users_email");
      expect(driverCode(unique)).toBe("23505");
    } else {
      expect(unique.column).toBe("email");
      expect(unique.message).toContain("UNIQUE constraint failed: users.email");
      expect(driverCode(unique)).toBe("SQLITE_CONSTRAINT_UNIQUE");
    }
    expect(unique.cause).toBeInstanceOf(Error);
    expect(unique.cause).not.toBeInstanceOf(AthanorError);
  });

  it("duplicate primary key → UniqueViolationError, inside a transaction too", async () => {
    const engine = open(await ctx.freshUrl());
    await createTables(engine.db);
    const error = await rejection(
      engine.db.transaction().execute(async (trx) => {
        await sql`insert into users (id, email) values (1, 'other@example.com')`.execute(trx);
      }),
    );
    expect(error).toBeInstanceOf(UniqueViolationError);
    expect((error as UniqueViolationError).table).toBe("users");
    if (ctx.isSqlite) expect((error as UniqueViolationError).column).toBe("id");
    expect(engine.pool.status().checkedOut).toBe(0);
  });

  it("foreign key violations (missing parent, parent still referenced) → ForeignKeyViolationError", async () => {
    const engine = open(await ctx.freshUrl());
    await createTables(engine.db);
    const missingParent = await rejection(sql`insert into users (id, email, parent_id) values (2, 'b@example.com', 99)`.execute(engine.db));
    expect(missingParent).toBeInstanceOf(ForeignKeyViolationError);
    expect(missingParent).toMatchObject({ code: "FOREIGN_KEY_VIOLATION", retryable: false });
    const referenced = await rejection(sql`delete from parents where id = 1`.execute(engine.db));
    expect(referenced).toBeInstanceOf(ForeignKeyViolationError);
    if (ctx.isPostgres) {
      expect(missingParent).toMatchObject({ table: "users", constraint: "users_parent_id_fkey" });
      expect(driverCode(missingParent as AthanorError)).toBe("23503");
    } else {
      expect(driverCode(missingParent as AthanorError)).toBe("SQLITE_CONSTRAINT_FOREIGNKEY");
    }
  });

  it("a deferred foreign key failing at COMMIT → ForeignKeyViolationError, not a transaction-state error", async () => {
    const engine = open(await ctx.freshUrl());
    await createTables(engine.db);
    await sql`create table notes (id integer primary key, parent_id integer references parents (id) deferrable initially deferred)`.execute(engine.db);
    const error = await rejection(
      engine.db.transaction().execute(async (trx) => {
        await sql`insert into notes (id, parent_id) values (1, 42)`.execute(trx);
      }),
    );
    expect(error).toBeInstanceOf(ForeignKeyViolationError);
    expect(engine.pool.status().checkedOut).toBe(0);
    // The failed transaction was ended: the connection takes new work and nothing was written.
    const rows = await sql<{ n: number }>`select count(*) as n from notes`.execute(engine.db);
    expect(Number(rows.rows[0]!.n)).toBe(0);
  });

  it("not null violation → NotNullViolationError naming table and column", async () => {
    const engine = open(await ctx.freshUrl());
    await createTables(engine.db);
    const error = await rejection(sql`insert into users (id, email) values (2, null)`.execute(engine.db));
    expect(error).toBeInstanceOf(NotNullViolationError);
    expect(error).toMatchObject({ code: "NOT_NULL_VIOLATION", table: "users", column: "email" });
    expect(driverCode(error as AthanorError)).toBe(ctx.isPostgres ? "23502" : "SQLITE_CONSTRAINT_NOTNULL");
  });

  it("check violation → CheckViolationError naming the constraint", async () => {
    const engine = open(await ctx.freshUrl());
    await createTables(engine.db);
    const error = await rejection(sql`insert into users (id, email, price) values (2, 'c@example.com', -1)`.execute(engine.db));
    expect(error).toBeInstanceOf(CheckViolationError);
    expect(error).toMatchObject({ code: "CHECK_VIOLATION", constraint: "ck_users_price_positive" });
    expect(driverCode(error as AthanorError)).toBe(ctx.isPostgres ? "23514" : "SQLITE_CONSTRAINT_CHECK");
  });

  it("a write inside a read-only transaction → ReadOnlyViolationError, and the connection stays writable afterwards", async () => {
    const engine = open(await ctx.freshUrl());
    await createTables(engine.db);
    const error = await rejection(
      engine.db
        .transaction()
        .setAccessMode("read only")
        .execute((trx) => sql`insert into parents (id) values (2)`.execute(trx)),
    );
    expect(error).toBeInstanceOf(ReadOnlyViolationError);
    expect(error).toMatchObject({ code: "READ_ONLY_VIOLATION", retryable: false });
    await engine.db.transaction().execute((trx) => sql`insert into parents (id) values (3)`.execute(trx));
    await sql`insert into parents (id) values (4)`.execute(engine.db);
    const rows = await sql<{ id: number }>`select id from parents order by id`.execute(engine.db);
    expect(rows.rows.map((row) => Number(row.id))).toEqual([1, 3, 4]);
  });

  // Needs two transactions at once: a server (PGlite runs one session at a time).
  it.runIf(ctx.isServer)("two SERIALIZABLE transactions updating the same row → SerializationFailureError, retryable (PostgreSQL: SQLite serialises writers)", async () => {
    const engine = open(await ctx.freshUrl(), { pool: { size: 2, maxOverflow: 0 } });
    await sql`create table counters (id integer primary key, value integer not null)`.execute(engine.db);
    await sql`insert into counters values (1, 0)`.execute(engine.db);
    const bothRead = [deferred(), deferred()];
    const firstCommitted = deferred();
    const run = (index: 0 | 1) =>
      engine.db
        .transaction()
        .setIsolationLevel("serializable")
        .execute(async (trx) => {
          await sql`select value from counters where id = 1`.execute(trx);
          bothRead[index]!.resolve();
          await Promise.all(bothRead.map((d) => d.promise));
          if (index === 1) await firstCommitted.promise;
          await sql`update counters set value = value + 1 where id = 1`.execute(trx);
        });
    const first = run(0).then(() => firstCommitted.resolve());
    const second = rejection(run(1));
    await first;
    const error = await second;
    expect(error).toBeInstanceOf(SerializationFailureError);
    expect(error).toMatchObject({ code: "SERIALIZATION_FAILURE", retryable: true });
    expect(driverCode(error as AthanorError)).toBe("40001");
  });

  it.runIf(ctx.isServer)("two transactions locking rows in opposite order → one DeadlockError, retryable (PostgreSQL)", async () => {
    const engine = open(await ctx.freshUrl(), {
      pool: { size: 2, maxOverflow: 0 },
      // The detector runs after deadlock_timeout (default 1 s); shorter keeps the suite fast.
      postgres: { onConnect: async (client) => void (await client.query("set deadlock_timeout = 50")) },
    });
    await sql`create table accounts (id integer primary key, balance integer not null)`.execute(engine.db);
    await sql`insert into accounts values (1, 100), (2, 100)`.execute(engine.db);
    const locked = [deferred(), deferred()];
    const transfer = (from: number, to: number, index: 0 | 1) =>
      engine.db.transaction().execute(async (trx) => {
        await sql`update accounts set balance = balance - 1 where id = ${from}`.execute(trx);
        locked[index]!.resolve();
        await Promise.all(locked.map((d) => d.promise));
        await sql`update accounts set balance = balance + 1 where id = ${to}`.execute(trx);
      });
    const results = await Promise.allSettled([transfer(1, 2, 0), transfer(2, 1, 1)]);
    const failures = results.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(DeadlockError);
    expect(failures[0]).toMatchObject({ code: "DEADLOCK", retryable: true });
    expect(driverCode(failures[0])).toBe("40P01");
  });

  it.runIf(ctx.isServer)("a row lock held longer than postgres.lockTimeoutMillis → LockTimeoutError (PostgreSQL)", async () => {
    const url = await ctx.freshUrl();
    const holder = open(url, { pool: { size: 1, maxOverflow: 0 } });
    const waiter = open(url, { pool: { size: 1, maxOverflow: 0 }, postgres: { lockTimeoutMillis: 50 } });
    await sql`create table items (id integer primary key, n integer not null)`.execute(holder.db);
    await sql`insert into items values (1, 0)`.execute(holder.db);
    const lockTaken = deferred();
    const done = deferred();
    const holding = holder.db.transaction().execute(async (trx) => {
      await sql`select id from items where id = 1 for update`.execute(trx);
      lockTaken.resolve();
      await done.promise;
    });
    await lockTaken.promise;
    const error = await rejection(sql`update items set n = 1 where id = 1`.execute(waiter.db));
    done.resolve();
    await holding;
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toMatchObject({ code: "LOCK_TIMEOUT", retryable: false });
    expect(driverCode(error as AthanorError)).toBe("55P03");
  });

  it.runIf(ctx.name === "sqlite-file")("a write lock held by another connection longer than busyTimeoutMillis → LockTimeoutError (SQLite file)", async () => {
    const url = await ctx.freshUrl();
    const setup = open(url);
    await sql`create table items (id integer primary key, n integer not null)`.execute(setup.db);
    await setup.dispose();
    const other = new Database(parseDatabaseUrl(url).database);
    try {
      other.exec("begin immediate");
      const engine = open(url, { sqlite: { busyTimeoutMillis: 20 }, pool: { acquireTimeoutMillis: 5_000 } });
      const autocommit = await rejection(sql`insert into items (n) values (1)`.execute(engine.db));
      expect(autocommit).toBeInstanceOf(LockTimeoutError);
      expect(driverCode(autocommit as AthanorError)).toMatch(/^SQLITE_BUSY/);
      const transaction = await rejection(engine.db.transaction().execute((trx) => sql`insert into items (n) values (2)`.execute(trx)));
      expect(transaction).toBeInstanceOf(LockTimeoutError);
      // The failed BEGIN gave the writer back: once the other connection commits, writes go through.
      other.exec("commit");
      await engine.db.transaction().execute((trx) => sql`insert into items (n) values (3)`.execute(trx));
      expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0 });
    } finally {
      if (other.inTransaction) other.exec("rollback");
      other.close();
    }
  });

  it.runIf(ctx.name === "sqlite-file")("a lock held while the engine opens its first connection → LockTimeoutError, not a hook failure (SQLite file)", async () => {
    const path = parseDatabaseUrl(await ctx.freshUrl()).database;
    const other = new Database(path);
    try {
      // A rollback-journal database locked exclusively: switching it to WAL must wait.
      other.exec("create table t (x integer)");
      other.exec("begin exclusive");
      const engine = open(`sqlite:${path}`, { sqlite: { busyTimeoutMillis: 20 } });
      const error = await rejection(sql`select count(*) as n from t`.execute(engine.db));
      expect(error).toBeInstanceOf(LockTimeoutError);
    } finally {
      if (other.inTransaction) other.exec("rollback");
      other.close();
    }
  });
});
