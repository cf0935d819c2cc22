import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { ReadOnlyViolationError, TransactionAbortedError } from "../src/errors.js";
import type { Session } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { itemNames, sessionHarness, type SessionTestDb } from "./support/session-harness.js";

async function show(db: Session<SessionTestDb>, setting: "transaction_isolation" | "transaction_read_only"): Promise<string> {
  const { rows } = await sql<Record<string, string>>`show ${sql.raw(setting)}`.execute(db);
  return rows[0]![setting]!;
}

async function countItems(db: Session<SessionTestDb>): Promise<number> {
  const row = await db.selectFrom("items").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

describeEachDialect("session isolation and read-only", (ctx) => {
  const setup = sessionHarness(ctx);

  describe("readOnly", () => {
    it("rejects writes with ReadOnlyViolationError, leaves data untouched, and aborts the transaction", async () => {
      const { engine, sessions } = await setup();
      await engine.db.insertInto("items").values({ id: 1, name: "existing" }).execute();
      const error = await rejection(
        sessions.run(
          async (db) => {
            expect(await countItems(db)).toBe(1);
            const write = await rejection(db.insertInto("items").values({ id: 2, name: "refused" }).execute());
            expect(write).toBeInstanceOf(ReadOnlyViolationError);
            expect(db.state).toBe("aborted");
            await expect(db.selectFrom("items").selectAll().execute()).rejects.toBeInstanceOf(TransactionAbortedError);
            throw write;
          },
          { readOnly: true },
        ),
      );
      expect(error).toBeInstanceOf(ReadOnlyViolationError);
      expect(await itemNames(engine)).toEqual(["existing"]);
    });

    it("rejects updates and deletes too; a read-only factory from withOptions() applies it to every session", async () => {
      const { engine, sessions } = await setup();
      await engine.db.insertInto("items").values({ id: 1, name: "existing" }).execute();
      const readers = sessions.withOptions({ readOnly: true });
      await expect(readers.run((db) => db.updateTable("items").set({ qty: 5 }).execute())).rejects.toBeInstanceOf(ReadOnlyViolationError);
      await expect(readers.run((db) => db.deleteFrom("items").execute())).rejects.toBeInstanceOf(ReadOnlyViolationError);
      const reader = readers.open();
      await expect(reader.insertInto("items").values({ id: 2, name: "b" }).execute()).rejects.toBeInstanceOf(ReadOnlyViolationError);
      await reader.close();
      expect(await engine.db.selectFrom("items").selectAll().execute()).toEqual([{ id: 1, name: "existing", qty: 0 }]);
    });

    it("a failed write inside nested() can be recovered from, and reads go on", async () => {
      const { engine, sessions } = await setup();
      await engine.db.insertInto("items").values({ id: 1, name: "existing" }).execute();
      const count = await sessions.run(
        async (db) => {
          await expect(db.nested((sp) => sp.deleteFrom("items").execute())).rejects.toBeInstanceOf(ReadOnlyViolationError);
          return countItems(db);
        },
        { readOnly: true },
      );
      expect(count).toBe(1);
    });

    it("a read-write session after a read-only one writes normally (nothing read-only leaks into the pool)", async () => {
      const { engine, sessions } = await setup();
      await expect(sessions.run((db) => db.insertInto("items").values({ id: 1, name: "refused" }).execute(), { readOnly: true })).rejects.toBeInstanceOf(
        ReadOnlyViolationError,
      );
      for (let i = 0; i < 3; i++) {
        await sessions.run((db) => db.insertInto("items").values({ id: 10 + i, name: `written ${i}` }).execute());
      }
      expect(await itemNames(engine)).toEqual(["written 0", "written 1", "written 2"]);
    });

    // In-memory SQLite and PGlite have one connection: nothing reads beside the writer.
    it.skipIf(!ctx.readerBesideWriter)("a read-only session reads beside an open write transaction without waiting, and without its uncommitted rows", async () => {
      // In memory there is one shared connection, so a read-only session waits for the writer instead.
      const { sessions } = await setup();
      const writer = sessions.open();
      await writer.insertInto("items").values({ id: 1, name: "uncommitted" }).execute();
      const seen = await sessions.run(countItems, { readOnly: true });
      expect(seen).toBe(0);
      await writer.commit();
      expect(await sessions.run(countItems, { readOnly: true })).toBe(1);
      await writer.close();
    });

    it.skipIf(!ctx.readerBesideWriter)("a read-only transaction reads one stable snapshot while others commit", async () => {
      const { engine, sessions } = await setup();
      const isolationLevel = ctx.isPostgres ? "repeatable read" : undefined;
      const reader = sessions.open({ readOnly: true, isolationLevel });
      expect(await countItems(reader)).toBe(0);
      await sessions.run((db) => db.insertInto("items").values({ id: 1, name: "committed meanwhile" }).execute());
      expect(await countItems(reader)).toBe(0);
      await reader.commit();
      expect(await countItems(reader)).toBe(1);
      await reader.close();
      expect(await itemNames(engine)).toEqual(["committed meanwhile"]);
    });
  });

  // Two transactions at once: a server (PGlite runs one session at a time).
  describe.runIf(ctx.isServer)("isolation levels (PostgreSQL)", () => {
    it("each level is the one the transaction runs at", async () => {
      const { sessions } = await setup();
      expect(await sessions.run((db) => show(db, "transaction_isolation"))).toBe("read committed");
      for (const level of ["read uncommitted", "read committed", "repeatable read", "serializable"] as const) {
        expect(await sessions.run((db) => show(db, "transaction_isolation"), { isolationLevel: level })).toBe(level);
      }
    });

    it("factory defaults apply to every transaction of a session; per-call options win", async () => {
      const { sessions } = await setup({ sessions: { isolationLevel: "serializable" } });
      const db = sessions.open();
      expect(await show(db, "transaction_isolation")).toBe("serializable");
      await db.commit();
      expect(await show(db, "transaction_isolation")).toBe("serializable");
      await db.close();
      expect(await sessions.run((s) => show(s, "transaction_isolation"), { isolationLevel: "repeatable read" })).toBe("repeatable read");
      expect(await sessions.withOptions({ isolationLevel: "read committed" }).run((s) => show(s, "transaction_isolation"))).toBe("read committed");
    });

    it("readOnly is a READ ONLY transaction, combinable with a level", async () => {
      const { sessions } = await setup();
      expect(await sessions.run((db) => show(db, "transaction_read_only"))).toBe("off");
      const both = await sessions.run(async (db) => [await show(db, "transaction_isolation"), await show(db, "transaction_read_only")], {
        readOnly: true,
        isolationLevel: "serializable",
      });
      expect(both).toEqual(["serializable", "on"]);
    });

    it("repeatable read keeps its snapshot; read committed sees later commits", async () => {
      const { sessions } = await setup();
      const repeatable = sessions.open({ isolationLevel: "repeatable read" });
      const committed = sessions.open({ isolationLevel: "read committed" });
      expect(await countItems(repeatable)).toBe(0);
      expect(await countItems(committed)).toBe(0);
      await sessions.run((db) => db.insertInto("items").values({ id: 1, name: "new" }).execute());
      expect(await countItems(repeatable)).toBe(0);
      expect(await countItems(committed)).toBe(1);
      await Promise.all([repeatable.close(), committed.close()]);
    });
  });

  describe.runIf(ctx.isSqlite)("isolation levels (SQLite)", () => {
    it("are accepted and change nothing: SQLite transactions are serializable", async () => {
      const { engine, sessions } = await setup({ sessions: { isolationLevel: "read committed" } });
      await sessions.run((db) => db.insertInto("items").values({ id: 1, name: "a" }).execute(), { isolationLevel: "serializable" });
      await sessions.run((db) => db.insertInto("items").values({ id: 2, name: "b" }).execute());
      expect(await itemNames(engine)).toEqual(["a", "b"]);
    });
  });
});
