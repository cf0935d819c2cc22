import { describe, expect, it } from "vitest";
import { HookFailedError, SessionBusyError, SessionClosedError } from "../src/errors.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { itemNames, sessionHarness } from "./support/session-harness.js";

describeEachDialect("session hooks", (ctx) => {
  const setup = sessionHarness(ctx);

  describe("afterCommit", () => {
    it("runs only after the commit, when the data is visible to everyone", async () => {
      const { engine, sessions } = await setup();
      const log: string[] = [];
      let seenByHook: string[] | undefined;
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "durable" }).execute();
        db.afterCommit(async () => {
          log.push("hook");
          // Read through the engine: another connection, outside the session.
          seenByHook = await itemNames(engine);
        });
        log.push("callback returns");
      });
      log.push("run resolved");
      expect(log).toEqual(["callback returns", "hook", "run resolved"]);
      expect(seenByHook).toEqual(["durable"]);
    });

    it("does not run after a rollback, a throwing run() or a close without commit", async () => {
      const { sessions } = await setup();
      const ran: string[] = [];

      const manual = sessions.open();
      await manual.insertInto("items").values({ id: 1, name: "a" }).execute();
      manual.afterCommit(() => void ran.push("rollback"));
      await manual.rollback();
      await manual.commit();

      await rejection(
        sessions.run(async (db) => {
          await db.insertInto("items").values({ id: 2, name: "b" }).execute();
          db.afterCommit(() => void ran.push("throwing run"));
          throw new Error("fail");
        }),
      );

      const closed = sessions.open();
      await closed.insertInto("items").values({ id: 3, name: "c" }).execute();
      closed.afterCommit(() => void ran.push("close"));
      await closed.close();

      expect(ran).toEqual([]);
    });

    it("runs once per commit: hooks belong to the transaction they were registered in", async () => {
      const { sessions } = await setup();
      const ran: string[] = [];
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "a" }).execute();
      db.afterCommit(() => void ran.push("first"));
      await db.commit();
      await db.insertInto("items").values({ id: 2, name: "b" }).execute();
      db.afterCommit(() => void ran.push("second"));
      await db.commit();
      await db.close();
      expect(ran).toEqual(["first", "second"]);
    });

    it("runs in registration order, each awaited before the next", async () => {
      const { sessions } = await setup();
      const log: string[] = [];
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "a" }).execute();
        db.afterCommit(async () => {
          await new Promise((resolve) => setImmediate(resolve));
          log.push("first");
        });
        db.afterCommit(() => void log.push("second"));
      });
      expect(log).toEqual(["first", "second"]);
    });
  });

  describe("afterRollback", () => {
    it("runs after rollback, close without commit and a throwing run(), never after commit", async () => {
      const { sessions } = await setup();
      const ran: string[] = [];

      const manual = sessions.open();
      await manual.insertInto("items").values({ id: 1, name: "a" }).execute();
      manual.afterRollback(() => void ran.push("rollback"));
      await manual.rollback();

      await manual.insertInto("items").values({ id: 2, name: "b" }).execute();
      manual.afterRollback(() => void ran.push("close"));
      await manual.close();

      await rejection(
        sessions.run(async (db) => {
          await db.insertInto("items").values({ id: 3, name: "c" }).execute();
          db.afterRollback(() => void ran.push("throwing run"));
          throw new Error("fail");
        }),
      );

      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 4, name: "d" }).execute();
        db.afterRollback(() => void ran.push("committed run"));
      });

      expect(ran).toEqual(["rollback", "close", "throwing run"]);
    });
  });

  describe("hooks in nested blocks", () => {
    it("a rolled-back block's afterCommit hooks never run; its afterRollback hooks run when it rolls back", async () => {
      const { engine, sessions } = await setup();
      const log: string[] = [];
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "outer" }).execute();
        db.afterCommit(() => void log.push("outer afterCommit"));
        await db
          .nested(async (sp) => {
            await sp.insertInto("items").values({ id: 2, name: "inner" }).execute();
            sp.afterCommit(() => void log.push("inner afterCommit"));
            sp.afterRollback(() => void log.push("inner afterRollback"));
            throw new Error("undo the block");
          })
          .catch(() => undefined);
        log.push("block ended");
      });
      expect(log).toEqual(["inner afterRollback", "block ended", "outer afterCommit"]);
      expect(await itemNames(engine)).toEqual(["outer"]);
    });

    it("hooks of a block rolled back three levels deep never run their afterCommit, nor do hooks of blocks inside it", async () => {
      const { sessions } = await setup();
      const log: string[] = [];
      await sessions.run(async (db) => {
        await db.nested(async (one) => {
          one.afterCommit(() => void log.push("level 1"));
          await one
            .nested(async (two) => {
              two.afterCommit(() => void log.push("level 2"));
              await two.nested(async (three) => {
                three.afterCommit(() => void log.push("level 3 (released into level 2)"));
                await three.insertInto("items").values({ id: 1, name: "deep" }).execute();
              });
              throw new Error("level 2 fails");
            })
            .catch(() => undefined);
        });
      });
      expect(log).toEqual(["level 1"]);
    });

    it("a released block's afterCommit hooks wait for the outer commit, and are dropped by an outer rollback", async () => {
      const { sessions } = await setup();
      const log: string[] = [];
      const db = sessions.open();
      await db.nested(async (sp) => {
        await sp.insertInto("items").values({ id: 1, name: "inner" }).execute();
        sp.afterCommit(() => void log.push("committed"));
        sp.afterRollback(() => void log.push("rolled back"));
      });
      expect(log).toEqual([]);
      await db.rollback();
      expect(log).toEqual(["rolled back"]);

      await db.nested(async (sp) => {
        await sp.insertInto("items").values({ id: 2, name: "inner again" }).execute();
        sp.afterCommit(() => void log.push("committed"));
      });
      await db.commit();
      await db.close();
      expect(log).toEqual(["rolled back", "committed"]);
    });

    it("the outer handle used inside a block registers on the block", async () => {
      const { sessions } = await setup();
      const log: string[] = [];
      await sessions.run(async (db) => {
        await db
          .nested(async () => {
            await db.insertInto("items").values({ id: 1, name: "inner" }).execute();
            db.afterCommit(() => void log.push("registered through the outer handle"));
            throw new Error("undo the block");
          })
          .catch(() => undefined);
      });
      expect(log).toEqual([]);
    });
  });

  describe("failing hooks", () => {
    it("are reported as HookFailedError engine events, never thrown, and do not stop later hooks", async () => {
      const { engine, sessions, errors } = await setup();
      const ran: string[] = [];
      const bug = new Error("notification service down");
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "committed anyway" }).execute();
        db.afterCommit(() => {
          throw bug;
        });
        db.afterCommit(async () => {
          ran.push("second hook");
        });
      });
      expect(ran).toEqual(["second hook"]);
      expect(await itemNames(engine)).toEqual(["committed anyway"]);
      const hookFailures = errors.filter((error) => error instanceof HookFailedError);
      expect(hookFailures).toHaveLength(1);
      expect(hookFailures[0]!.cause).toBe(bug);
      expect(hookFailures[0]!.message).toContain("afterCommit");
    });

    it("a failing afterRollback hook does not replace the error that caused the rollback", async () => {
      const { sessions, errors } = await setup();
      const original = new Error("original failure");
      const error = await rejection(
        sessions.run(async (db) => {
          await db.insertInto("items").values({ id: 1, name: "a" }).execute();
          db.afterRollback(async () => {
            throw new Error("hook bug");
          });
          throw original;
        }),
      );
      expect(error).toBe(original);
      expect(errors.filter((e) => e instanceof HookFailedError).map((e) => (e.cause as Error).message)).toEqual(["hook bug"]);
    });
  });

  it("registering a hook through the handle of a block that has ended throws SessionBusyError instead of dropping it", async () => {
    const { sessions } = await setup();
    const db = sessions.open();
    const escaped = await db.nested(async (sp) => sp);
    expect(() => escaped.afterCommit(() => {})).toThrow(SessionBusyError);
    expect(() => escaped.afterRollback(() => {})).toThrow(SessionBusyError);
    await db.close();
  });

  it("registering a hook on a closed session throws SessionClosedError", async () => {
    const { sessions } = await setup();
    const db = sessions.open();
    await db.close();
    expect(() => db.afterCommit(() => {})).toThrow(SessionClosedError);
    expect(() => db.afterRollback(() => {})).toThrow(SessionClosedError);
  });
});
