import { describe, expect, it } from "vitest";
import { TransactionAbortedError, TransactionStateError, UniqueViolationError } from "../src/errors.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { itemNames, sessionHarness } from "./support/session-harness.js";

describeEachDialect("session.nested", (ctx) => {
  const setup = sessionHarness(ctx);

  describe("savepoints", () => {
    it("three deep: a throw in the innermost block undoes only that block", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "outer" }).execute();
        await db.nested(async (one) => {
          await one.insertInto("items").values({ id: 2, name: "level 1" }).execute();
          await one.nested(async (two) => {
            await two.insertInto("items").values({ id: 3, name: "level 2" }).execute();
            const error = await rejection(
              two.nested(async (three) => {
                await three.insertInto("items").values({ id: 4, name: "level 3" }).execute();
                throw new Error("level 3 fails");
              }),
            );
            expect(error.message).toBe("level 3 fails");
            const inside = await two.selectFrom("items").select("name").orderBy("id").execute();
            expect(inside.map((row) => row.name)).toEqual(["outer", "level 1", "level 2"]);
          });
        });
      });
      expect(await itemNames(engine)).toEqual(["level 1", "level 2", "outer"]);
    });

    it("three deep: a throw in the middle block undoes it and everything nested in it", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "outer" }).execute();
        await db.nested(async (one) => {
          await one.insertInto("items").values({ id: 2, name: "level 1" }).execute();
          await one
            .nested(async (two) => {
              await two.insertInto("items").values({ id: 3, name: "level 2" }).execute();
              await two.nested(async (three) => {
                await three.insertInto("items").values({ id: 4, name: "level 3" }).execute();
              });
              throw new Error("level 2 fails after level 3 was released");
            })
            .catch(() => undefined);
          await one.insertInto("items").values({ id: 5, name: "level 1 again" }).execute();
        });
      });
      expect(await itemNames(engine)).toEqual(["level 1", "level 1 again", "outer"]);
    });

    it("the error of a failed block propagates; the outer transaction commits the rest", async () => {
      const { engine, sessions } = await setup();
      const error = await rejection(
        sessions.run(async (db) => {
          await db.insertInto("items").values({ id: 1, name: "outer" }).execute();
          await db.nested(async (sp) => {
            await sp.insertInto("items").values({ id: 2, name: "inner" }).execute();
            throw new Error("not caught");
          });
        }),
      );
      expect(error.message).toBe("not caught");
      // The error left run(), so the whole transaction rolled back.
      expect(await itemNames(engine)).toEqual([]);
    });

    it("returns the block's value, and an outer rollback undoes released blocks too", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      const value = await db.nested(async (sp) => {
        await sp.insertInto("items").values({ id: 1, name: "inner" }).execute();
        return "released";
      });
      expect(value).toBe("released");
      await db.rollback();
      await db.close();
      expect(await itemNames(engine)).toEqual([]);
    });

    it("begins the transaction lazily when nested() is the first thing a session does", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      expect(engine.pool.status().checkedOut).toBe(0);
      await db.nested(async (sp) => {
        expect(engine.pool.status().checkedOut).toBe(1);
        await sp.insertInto("items").values({ id: 1, name: "first" }).execute();
      });
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toEqual(["first"]);
    });

    it("statements through the outer handle inside a block belong to the block", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "outer" }).execute();
        await db
          .nested(async () => {
            // A service that only knows the outer session still writes inside the savepoint.
            await db.insertInto("items").values({ id: 2, name: "via outer handle" }).execute();
            throw new Error("undo the block");
          })
          .catch(() => undefined);
      });
      expect(await itemNames(engine)).toEqual(["outer"]);
    });

    it("commit() and rollback() inside a block are refused", async () => {
      const { sessions } = await setup();
      await sessions.run(async (db) => {
        await db.nested(async (sp) => {
          await sp.insertInto("items").values({ id: 1, name: "a" }).execute();
          await expect(sp.commit()).rejects.toBeInstanceOf(TransactionStateError);
          await expect(db.rollback()).rejects.toBeInstanceOf(TransactionStateError);
        });
      });
    });
  });

  describe("failed statements abort the transaction on every dialect", () => {
    it("after a failed statement every statement fails fast with TransactionAbortedError naming the cause", async () => {
      const { sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "dup" }).execute();
      const failure = await rejection(db.insertInto("items").values({ id: 2, name: "dup" }).execute());
      expect(failure).toBeInstanceOf(UniqueViolationError);
      expect(db.state).toBe("aborted");

      const next = await rejection(db.selectFrom("items").selectAll().execute());
      expect(next).toBeInstanceOf(TransactionAbortedError);
      expect(next.cause).toBe(failure);
      expect(next.message).toMatch(/roll back/);
      expect(next.message).not.toMatch(/current transaction is aborted/);
      await expect(db.commit()).rejects.toBeInstanceOf(TransactionAbortedError);
      await db.close();
    });

    it("rollback() ends the aborted transaction and the session is usable again", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "dup" }).execute();
      await rejection(db.insertInto("items").values({ id: 2, name: "dup" }).execute());
      await db.rollback();
      expect(db.state).toBe("idle");
      await db.insertInto("items").values({ id: 3, name: "after rollback" }).execute();
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toEqual(["after rollback"]);
    });

    it("a failed statement inside nested() rolls back only the block; the transaction goes on", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "dup" }).execute();
        const error = await rejection(
          db.nested(async (sp) => {
            await sp.insertInto("items").values({ id: 2, name: "fresh" }).execute();
            await sp.insertInto("items").values({ id: 3, name: "dup" }).execute();
          }),
        );
        expect(error).toBeInstanceOf(UniqueViolationError);
        expect(db.state).toBe("active");
        await db.insertInto("items").values({ id: 4, name: "after recovery" }).execute();
      });
      expect(await itemNames(engine)).toEqual(["after recovery", "dup"]);
    });

    it("a block that swallows a failed statement and returns is rolled back with TransactionAbortedError", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "dup" }).execute();
        const error = await rejection(
          db.nested(async (sp) => {
            await sp.insertInto("items").values({ id: 2, name: "inside" }).execute();
            const swallowed = await rejection(sp.insertInto("items").values({ id: 3, name: "dup" }).execute());
            expect(swallowed).toBeInstanceOf(UniqueViolationError);
            // Further statements in the block fail fast, as PostgreSQL would make them.
            await expect(sp.selectFrom("items").selectAll().execute()).rejects.toBeInstanceOf(TransactionAbortedError);
            return "looks fine";
          }),
        );
        expect(error).toBeInstanceOf(TransactionAbortedError);
        expect(error.cause).toBeInstanceOf(UniqueViolationError);
        await db.insertInto("items").values({ id: 4, name: "outer goes on" }).execute();
      });
      expect(await itemNames(engine)).toEqual(["dup", "outer goes on"]);
    });

    it("a failure in a deeper block leaves the enclosing block usable", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "dup" }).execute();
        await db.nested(async (one) => {
          await one.insertInto("items").values({ id: 2, name: "level 1" }).execute();
          await rejection(one.nested((two) => two.insertInto("items").values({ id: 3, name: "dup" }).execute()));
          await one.insertInto("items").values({ id: 4, name: "level 1 after" }).execute();
        });
      });
      expect(await itemNames(engine)).toEqual(["dup", "level 1", "level 1 after"]);
    });
  });
});
