import { describe, expect, it } from "vitest";
import { SessionClosedError } from "../src/errors.js";
import type { Session } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { itemNames, sessionHarness, type SessionTestDb } from "./support/session-harness.js";

describeEachDialect("sessions.run", (ctx) => {
  const setup = sessionHarness(ctx);

  describe("autoCommit (default)", () => {
    it("commits when the callback returns, and returns its value", async () => {
      const { engine, sessions } = await setup();
      const result = await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "kept" }).execute();
        return { answer: 42 };
      });
      expect(result).toEqual({ answer: 42 });
      expect(await itemNames(engine)).toEqual(["kept"]);
    });

    it("rolls back when the callback throws, and rethrows the same error", async () => {
      const { engine, sessions } = await setup();
      const failure = new Error("application failure");
      const error = await rejection(
        sessions.run(async (db) => {
          await db.insertInto("items").values({ id: 1, name: "discarded" }).execute();
          throw failure;
        }),
      );
      expect(error).toBe(failure);
      expect(await itemNames(engine)).toEqual([]);
    });

    it("always closes the session and returns its connection, after success and after failure", async () => {
      const { engine, sessions } = await setup();
      let seen: Session<SessionTestDb> | undefined;
      await sessions.run(async (db) => {
        seen = db;
        await db.insertInto("items").values({ id: 1, name: "a" }).execute();
        expect(engine.pool.status().checkedOut).toBe(1);
      });
      expect(seen!.state).toBe("closed");
      expect(engine.pool.status().checkedOut).toBe(0);
      await expect(seen!.selectFrom("items").selectAll().execute()).rejects.toBeInstanceOf(SessionClosedError);

      await rejection(
        sessions.run(async (db) => {
          seen = db;
          await db.insertInto("items").values({ id: 2, name: "b" }).execute();
          throw new Error("boom");
        }),
      );
      expect(seen!.state).toBe("closed");
      expect(engine.pool.status().checkedOut).toBe(0);
    });

    it("opens a new session for every call", async () => {
      const { sessions } = await setup();
      const first = await sessions.run(async (db) => db);
      const second = await sessions.run(async (db) => db);
      expect(first).not.toBe(second);
    });

    it("keeps what the callback committed itself when a later part throws", async () => {
      const { engine, sessions } = await setup();
      await rejection(
        sessions.run(async (db) => {
          await db.insertInto("items").values({ id: 1, name: "committed" }).execute();
          await db.commit();
          await db.insertInto("items").values({ id: 2, name: "rolled back" }).execute();
          throw new Error("second unit fails");
        }),
      );
      expect(await itemNames(engine)).toEqual(["committed"]);
    });

    it("rolls back when the commit itself fails, and reports the commit's error", async () => {
      const { engine, sessions } = await setup();
      // The callback leaves the transaction aborted by a failed statement it swallowed.
      const error = await rejection(
        sessions.run(async (db) => {
          await db.insertInto("items").values({ id: 1, name: "a" }).execute();
          await db.insertInto("items").values({ id: 2, name: "a" }).execute().catch(() => undefined);
        }),
      );
      expect(error).toMatchObject({ code: "TRANSACTION_ABORTED" });
      expect(await itemNames(engine)).toEqual([]);
      expect(engine.pool.status().checkedOut).toBe(0);
    });
  });

  describe("autoCommit: false", () => {
    it("rolls back whatever the callback did not commit", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(
        async (db) => {
          await db.insertInto("items").values({ id: 1, name: "never committed" }).execute();
        },
        { autoCommit: false },
      );
      expect(await itemNames(engine)).toEqual([]);
      expect(engine.pool.status().checkedOut).toBe(0);
    });

    it("keeps what the callback committed", async () => {
      const { engine, sessions } = await setup({ sessions: { autoCommit: false } });
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "committed" }).execute();
        await db.commit();
        await db.insertInto("items").values({ id: 2, name: "left open" }).execute();
      });
      expect(await itemNames(engine)).toEqual(["committed"]);
    });
  });

  describe("bind", () => {
    it("runs the bound function in a new committed session per call, with its arguments", async () => {
      const { engine, sessions } = await setup();
      const seen: Array<Session<SessionTestDb>> = [];
      const addItem = sessions.bind(async (db, id: number, name: string) => {
        seen.push(db);
        await db.insertInto("items").values({ id, name }).execute();
        return name.toUpperCase();
      });
      expect(await addItem(1, "one")).toBe("ONE");
      expect(await addItem(2, "two")).toBe("TWO");
      expect(seen[0]).not.toBe(seen[1]);
      expect(seen.every((db) => db.state === "closed")).toBe(true);
      expect(await itemNames(engine)).toEqual(["one", "two"]);
    });

    it("rolls a failing call back without touching earlier ones", async () => {
      const { engine, sessions } = await setup();
      const addItem = sessions.bind(async (db, id: number, name: string) => {
        await db.insertInto("items").values({ id, name }).execute();
        if (name === "bad") throw new Error("rejected");
      });
      await addItem(1, "good");
      await expect(addItem(2, "bad")).rejects.toThrow("rejected");
      expect(await itemNames(engine)).toEqual(["good"]);
    });
  });

  describe("withOptions", () => {
    it("makes a factory for the same engine whose defaults apply to run()", async () => {
      const { engine, sessions } = await setup();
      const manual = sessions.withOptions({ autoCommit: false });
      expect(manual.engine).toBe(engine);
      expect(manual.defaults.autoCommit).toBe(false);
      expect(sessions.defaults.autoCommit).toBe(true);
      await manual.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "not committed" }).execute();
      });
      expect(await itemNames(engine)).toEqual([]);
      // A per-call option still wins over the factory's default.
      await manual.run(
        async (db) => {
          await db.insertInto("items").values({ id: 2, name: "committed" }).execute();
        },
        { autoCommit: true },
      );
      expect(await itemNames(engine)).toEqual(["committed"]);
    });
  });
});
