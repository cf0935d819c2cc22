import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CommitOutcomeUnknownError,
  ConnectionLostError,
  DeadlockError,
  SerializationFailureError,
  UniqueViolationError,
} from "../src/errors.js";
import { retryDelayMillis } from "../src/session/retry-policy.js";
import { createSessionFactory, type Session, type SessionFactory } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, engineFactory, rejection } from "./support/engines.js";
import { PostgresAdmin, databaseOf, waitUntil, withApplicationName } from "./support/postgres-admin.js";
import { itemNames, sessionHarness, type SessionTestDb } from "./support/session-harness.js";

interface BankDb {
  accounts: { id: string; balance: number };
  transfers: { id: number; amount: number };
}

class InsufficientFundsError extends Error {}

/** Rebuilds the bank: account a holds 100, b holds 0, no transfers. */
async function openBank(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("transfers").ifExists().execute();
  await db.schema.dropTable("accounts").ifExists().execute();
  await db.schema
    .createTable("accounts")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("balance", "integer", (column) => column.notNull())
    .execute();
  await db.schema
    .createTable("transfers")
    .addColumn("id", "integer", (column) => column.primaryKey())
    .addColumn("amount", "integer", (column) => column.notNull())
    .execute();
  await db
    .insertInto("accounts")
    .values([
      { id: "a", balance: 100 },
      { id: "b", balance: 0 },
    ])
    .execute();
}

async function balances(db: Kysely<BankDb>): Promise<Record<string, number>> {
  const rows = await db.selectFrom("accounts").selectAll().orderBy("id").execute();
  return Object.fromEntries(rows.map((row) => [row.id, row.balance]));
}

/**
 * Transfer `amount` from a to b with a balance check: read both balances, check, write both,
 * record the transfer. The first attempt of each transfer waits at `bothRead` until both
 * transfers have read, so two SERIALIZABLE transactions really do read the same state.
 */
function transfer(id: number, amount: number, bothRead: { arrive(): Promise<void> }, attempts: number[]) {
  return async (db: Session<BankDb>): Promise<void> => {
    attempts[id] = (attempts[id] ?? 0) + 1;
    const current = await balances(db);
    if (attempts[id] === 1) await bothRead.arrive();
    if (current.a! < amount) throw new InsufficientFundsError(`transfer ${id}: balance ${current.a} < ${amount}`);
    await db.updateTable("accounts").set({ balance: current.a! - amount }).where("id", "=", "a").execute();
    await db.updateTable("accounts").set({ balance: current.b! + amount }).where("id", "=", "b").execute();
    await db.insertInto("transfers").values({ id, amount }).execute();
  };
}

/** A rendezvous for `parties` async paths. */
function barrier(parties: number): { arrive(): Promise<void> } {
  const all = deferred();
  let arrived = 0;
  return {
    arrive() {
      if (++arrived === parties) all.resolve();
      return all.promise;
    },
  };
}

describe("retry backoff", () => {
  it("is full jitter below an exponential ceiling capped at maxDelayMillis", () => {
    const retry = { maxAttempts: 10, baseDelayMillis: 10, maxDelayMillis: 100 };
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(100, 10 * 2 ** (attempt - 1));
      const delays = Array.from({ length: 200 }, () => retryDelayMillis(attempt, retry));
      expect(delays.every((delay) => delay >= 0 && delay <= ceiling)).toBe(true);
      // Jittered: spread over the range rather than one fixed value.
      expect(new Set(delays).size).toBeGreaterThan(100);
      expect(Math.max(...delays)).toBeGreaterThan(ceiling / 2);
    }
  });
});

describeEachDialect("sessions.run retry", (ctx) => {
  const setup = sessionHarness(ctx);

  describe("policy", () => {
    it("re-runs the whole callback in a fresh session on a retryable error, discarding the failed attempts' work", async () => {
      const { engine, sessions } = await setup();
      const seen: Array<Session<SessionTestDb>> = [];
      const result = await sessions.run(
        async (db) => {
          seen.push(db);
          await db.insertInto("items").values({ id: 1, name: `attempt ${seen.length}` }).execute();
          if (seen.length < 3) throw seen.length === 1 ? new SerializationFailureError("conflict") : new DeadlockError("deadlock");
          return "done";
        },
        { retry: { maxAttempts: 3, baseDelayMillis: 1 } },
      );
      expect(result).toBe("done");
      expect(seen).toHaveLength(3);
      expect(new Set(seen).size).toBe(3);
      expect(await itemNames(engine)).toEqual(["attempt 3"]);
      expect(engine.pool.status().checkedOut).toBe(0);
    });

    it("afterCommit hooks of failed attempts never run; their afterRollback hooks do", async () => {
      const { sessions } = await setup();
      const log: string[] = [];
      let attempt = 0;
      await sessions.run(
        async (db) => {
          const mine = ++attempt;
          await db.insertInto("items").values({ id: 1, name: "x" }).execute();
          db.afterCommit(() => void log.push(`commit ${mine}`));
          db.afterRollback(() => void log.push(`rollback ${mine}`));
          if (mine < 3) throw new SerializationFailureError("conflict");
        },
        { retry: { maxAttempts: 3, baseDelayMillis: 0 } },
      );
      expect(log).toEqual(["rollback 1", "rollback 2", "commit 3"]);
    });

    it("gives up after maxAttempts and throws the last retryable error", async () => {
      const { sessions } = await setup();
      let attempts = 0;
      const error = await rejection(
        sessions.run(
          async () => {
            attempts++;
            throw new SerializationFailureError(`conflict ${attempts}`);
          },
          { retry: { maxAttempts: 4, baseDelayMillis: 0 } },
        ),
      );
      expect(error).toBeInstanceOf(SerializationFailureError);
      expect(error.message).toBe("conflict 4");
      expect(attempts).toBe(4);
    });

    it("never retries other errors: a unique violation runs the callback exactly once", async () => {
      const { engine, sessions } = await setup({ sessions: { retry: { maxAttempts: 5, baseDelayMillis: 0 } } });
      await engine.db.insertInto("items").values({ id: 1, name: "taken" }).execute();
      let attempts = 0;
      const error = await rejection(
        sessions.run(async (db) => {
          attempts++;
          await db.insertInto("items").values({ id: 2, name: "taken" }).execute();
        }),
      );
      expect(error).toBeInstanceOf(UniqueViolationError);
      expect(attempts).toBe(1);

      let plainAttempts = 0;
      await expect(
        sessions.run(async () => {
          plainAttempts++;
          throw new Error("application bug");
        }),
      ).rejects.toThrow("application bug");
      expect(plainAttempts).toBe(1);
    });

    it("does not retry without the retry option, or with retry: false over a factory default", async () => {
      const { sessions } = await setup();
      let attempts = 0;
      const conflict = async (): Promise<void> => {
        attempts++;
        throw new SerializationFailureError("conflict");
      };
      await expect(sessions.run(conflict)).rejects.toBeInstanceOf(SerializationFailureError);
      expect(attempts).toBe(1);

      const retrying = sessions.withOptions({ retry: { maxAttempts: 3, baseDelayMillis: 0 } });
      attempts = 0;
      await expect(retrying.run(conflict, { retry: false })).rejects.toBeInstanceOf(SerializationFailureError);
      expect(attempts).toBe(1);
      attempts = 0;
      await expect(retrying.run(conflict)).rejects.toBeInstanceOf(SerializationFailureError);
      expect(attempts).toBe(3);
    });

    it("retry: true uses the defaults (3 attempts)", async () => {
      const { sessions } = await setup();
      let attempts = 0;
      await expect(
        sessions.run(
          async () => {
            attempts++;
            throw new DeadlockError("deadlock");
          },
          { retry: true },
        ),
      ).rejects.toBeInstanceOf(DeadlockError);
      expect(attempts).toBe(3);
    });
  });

  // Two SERIALIZABLE transactions at once, and a connection through a proxy: a server.
  describe.runIf(ctx.isServer)("a real serialization failure (PostgreSQL)", () => {
    const openEngine = engineFactory();
    let sessions: SessionFactory<BankDb>;
    let db: Kysely<BankDb>;

    async function bank(): Promise<void> {
      const engine = openEngine(ctx.url(), { pool: { size: 4 } });
      sessions = createSessionFactory<BankDb>(engine, { isolationLevel: "serializable" });
      db = engine.db as Kysely<BankDb>;
      await openBank(db);
    }

    it("two SERIALIZABLE transfers reading the same balances: one is retried and both apply exactly once", async () => {
      await bank();
      const attempts: number[] = [];
      const bothRead = barrier(2);
      const retry = { maxAttempts: 5, baseDelayMillis: 1 };
      await Promise.all([sessions.run(transfer(1, 40, bothRead, attempts), { retry }), sessions.run(transfer(2, 40, bothRead, attempts), { retry })]);

      expect(attempts[1]! + attempts[2]!).toBeGreaterThan(2);
      expect(await balances(db)).toEqual({ a: 20, b: 80 });
      expect(await db.selectFrom("transfers").select("id").orderBy("id").execute()).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it("the retried attempt re-checks the balance: the second of two overdrawing transfers is refused, not applied", async () => {
      await bank();
      const attempts: number[] = [];
      const bothRead = barrier(2);
      const retry = { maxAttempts: 5, baseDelayMillis: 1 };
      const results = await Promise.allSettled([
        sessions.run(transfer(1, 60, bothRead, attempts), { retry }),
        sessions.run(transfer(2, 60, bothRead, attempts), { retry }),
      ]);

      const refused = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
      expect(refused).toHaveLength(1);
      expect(refused[0]!.reason).toBeInstanceOf(InsufficientFundsError);
      expect(attempts[1]! + attempts[2]!).toBe(3);
      // Both read 100 and both would have passed the check: without serialization, a would be -20.
      expect(await balances(db)).toEqual({ a: 40, b: 60 });
      expect(await db.selectFrom("transfers").selectAll().execute()).toHaveLength(1);
    });

    it("without retry the loser throws SerializationFailureError and its transfer is not applied", async () => {
      await bank();
      const attempts: number[] = [];
      const bothRead = barrier(2);
      const results = await Promise.allSettled([sessions.run(transfer(1, 40, bothRead, attempts)), sessions.run(transfer(2, 40, bothRead, attempts))]);

      const failed = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
      expect(failed).toHaveLength(1);
      expect(failed[0]!.reason).toBeInstanceOf(SerializationFailureError);
      expect(failed[0]!.reason.retryable).toBe(true);
      expect(attempts).toEqual([undefined, 1, 1]);
      expect(await balances(db)).toEqual({ a: 60, b: 40 });
      expect(await db.selectFrom("transfers").selectAll().execute()).toHaveLength(1);
    });
  });

  describe.runIf(ctx.isServer)("connection lost during COMMIT (PostgreSQL)", () => {
    const openEngine = engineFactory();
    const APP = "athanor-session-commit-lost";
    let admin: PostgresAdmin;

    beforeAll(async () => {
      admin = await PostgresAdmin.open();
    });
    afterAll(async () => {
      await admin?.close();
    });

    it("a connection lost mid-transaction fails the statement with ConnectionLostError, is not retried, and the pool recovers", async () => {
      const engine = openEngine(withApplicationName(ctx.url(), APP), { pool: { size: 2 } });
      const sessions = createSessionFactory(engine, { retry: { maxAttempts: 5, baseDelayMillis: 0 } });
      const database = databaseOf(ctx.url());
      const inTransaction = deferred();
      const terminated = deferred();
      let attempts = 0;
      const outcome = rejection(
        sessions.run(async (db) => {
          attempts++;
          await sql`select 1`.execute(db);
          inTransaction.resolve();
          await terminated.promise;
          await sql`select 2`.execute(db);
        }),
      );
      await inTransaction.promise;
      const pids = await admin.pids(database, APP, "idle in transaction");
      expect(pids).toHaveLength(1);
      expect(await admin.terminate(database, APP, pids)).toBe(1);
      await admin.waitGone(pids);
      terminated.resolve();

      expect(await outcome).toBeInstanceOf(ConnectionLostError);
      expect(attempts).toBe(1);
      expect(engine.pool.status().checkedOut).toBe(0);
      expect(await sessions.run(async (db) => (await sql<{ n: number }>`select 3 as n`.execute(db)).rows[0]!.n)).toBe(3);
    });

    it("throws CommitOutcomeUnknownError, is never retried, drops the hooks and leaves the pool healthy", async () => {
      const engine = openEngine(withApplicationName(ctx.url(), APP), { pool: { size: 2 } });
      const sessions = createSessionFactory(engine, { retry: { maxAttempts: 5, baseDelayMillis: 0 } });
      // A deferred constraint trigger runs at COMMIT; its pg_sleep keeps COMMIT in flight until the backend is terminated.
      await sql`drop table if exists slow_commit`.execute(engine.db);
      await sql`create table slow_commit (id integer primary key)`.execute(engine.db);
      await sql`create or replace function slow_commit_check() returns trigger language plpgsql as $$
        begin perform pg_sleep(20); return null; end $$`.execute(engine.db);
      await sql`create constraint trigger slow_commit_check after insert on slow_commit
        deferrable initially deferred for each row execute function slow_commit_check()`.execute(engine.db);

      const database = databaseOf(ctx.url());
      let attempts = 0;
      const hooks: string[] = [];
      const run = sessions.run(async (db) => {
        attempts++;
        await sql`insert into slow_commit (id) values (1)`.execute(db);
        db.afterCommit(() => void hooks.push("afterCommit"));
        db.afterRollback(() => void hooks.push("afterRollback"));
      });
      const outcome = rejection(run);

      let committing: number[] = [];
      await waitUntil("the session's COMMIT to be running", async () => {
        const rows = await admin.query<{ pid: number }>(
          "select pid from pg_stat_activity where datname = $1 and application_name = $2 and state = 'active' and query = 'commit'",
          [database, APP],
        );
        committing = rows.map((row) => row.pid);
        return committing.length === 1;
      });
      expect(await admin.terminate(database, APP, committing)).toBe(1);

      const error = await outcome;
      expect(error).toBeInstanceOf(CommitOutcomeUnknownError);
      expect(error.cause).toBeInstanceOf(ConnectionLostError);
      expect((error as CommitOutcomeUnknownError).retryable).toBe(false);
      expect(attempts).toBe(1);
      expect(hooks).toEqual([]);
      expect(engine.pool.status().checkedOut).toBe(0);

      // The dead connection was not returned to the pool: the next session works.
      await sql`drop trigger slow_commit_check on slow_commit`.execute(engine.db);
      await sessions.run((db) => sql`insert into slow_commit (id) values (2)`.execute(db));
      const { rows } = await sql<{ id: number }>`select id from slow_commit order by id`.execute(engine.db);
      expect(rows.map((row) => row.id)).toEqual([2]);
    });
  });
});
