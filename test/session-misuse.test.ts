import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { ConfigurationError, EngineDisposedError, NotSupportedError, SessionBusyError, SessionClosedError } from "../src/errors.js";
import { createSessionFactory, type SessionOptions } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, rejection } from "./support/engines.js";
import { itemNames, sessionHarness } from "./support/session-harness.js";

describeEachDialect("session misuse", (ctx) => {
  const setup = sessionHarness(ctx);

  describe("a closed session", () => {
    it("refuses statements, nested(), commit() and rollback() with SessionClosedError", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "a" }).execute();
      await db.close();

      await expect(db.selectFrom("items").selectAll().execute()).rejects.toBeInstanceOf(SessionClosedError);
      await expect(db.insertInto("items").values({ id: 2, name: "b" }).execute()).rejects.toBeInstanceOf(SessionClosedError);
      await expect(sql`select 1`.execute(db)).rejects.toBeInstanceOf(SessionClosedError);
      await expect(db.nested(async () => undefined)).rejects.toBeInstanceOf(SessionClosedError);
      await expect(db.commit()).rejects.toBeInstanceOf(SessionClosedError);
      await expect(db.rollback()).rejects.toBeInstanceOf(SessionClosedError);
      await db.close();
      expect(engine.pool.status().checkedOut).toBe(0);
    });

    it("a session closed by run() cannot be used by code that kept it", async () => {
      const { sessions } = await setup();
      const kept = await sessions.run(async (db) => db);
      const error = await rejection(kept.selectFrom("items").selectAll().execute());
      expect(error).toBeInstanceOf(SessionClosedError);
      expect(error.message).toMatch(/open a new session/);
    });

    it("commit of a session closed in the middle of a transaction rolls nothing forward", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "uncommitted" }).execute();
      await db.close();
      await expect(db.commit()).rejects.toBeInstanceOf(SessionClosedError);
      expect(await itemNames(engine)).toEqual([]);
    });

    it("closing a session while its nested() block runs: the block fails with SessionClosedError and never touches the connection again", async () => {
      // Pool of one: the connection the closed session returned is the one the next session gets.
      const { engine, sessions } = await setup({ engine: { pool: { size: 1, maxOverflow: 0 } } });
      const db = sessions.open();
      const entered = deferred();
      const release = deferred();
      const hooks: string[] = [];
      const block = rejection(
        db.nested(async (sp) => {
          await sp.insertInto("items").values({ id: 1, name: "inside" }).execute();
          sp.afterCommit(() => void hooks.push("afterCommit"));
          sp.afterRollback(() => void hooks.push("afterRollback"));
          entered.resolve();
          await release.promise;
          await sp.insertInto("items").values({ id: 2, name: "after close" }).execute();
        }),
      );
      await entered.promise;
      await db.close();

      const other = sessions.open();
      await other.insertInto("items").values({ id: 3, name: "other session" }).execute();
      release.resolve();
      expect(await block).toBeInstanceOf(SessionClosedError);
      // The block's clean-up sent no ROLLBACK TO SAVEPOINT on the other session's connection.
      await other.insertInto("items").values({ id: 4, name: "other session again" }).execute();
      await other.commit();
      await other.close();
      expect(await itemNames(engine)).toEqual(["other session", "other session again"]);
      expect(hooks).toEqual(["afterRollback"]);
    });

    it("a nested() block that returns after its session was closed does not report success", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      const entered = deferred();
      const release = deferred();
      const block = rejection(
        db.nested(async (sp) => {
          await sp.insertInto("items").values({ id: 1, name: "inside" }).execute();
          entered.resolve();
          await release.promise;
          return "done";
        }),
      );
      await entered.promise;
      await db.close();
      release.resolve();
      expect(await block).toBeInstanceOf(SessionClosedError);
      expect(await itemNames(engine)).toEqual([]);
      expect(engine.pool.status().checkedOut).toBe(0);
    });
  });

  describe("interleaving from two async paths", () => {
    it("two concurrent nested() blocks: the second is refused with SessionBusyError", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (db) => {
        await db.insertInto("items").values({ id: 1, name: "outer" }).execute();
        const release = deferred();
        const first = db.nested(async (sp) => {
          await sp.insertInto("items").values({ id: 2, name: "first block" }).execute();
          await release.promise;
        });
        const second = rejection(db.nested(async (sp) => sp.insertInto("items").values({ id: 3, name: "second block" }).execute()));
        expect(await second).toBeInstanceOf(SessionBusyError);
        release.resolve();
        await first;
      });
      expect(await itemNames(engine)).toEqual(["first block", "outer"]);
    });

    it("two nested() blocks started in the same tick on a fresh session: one runs, the other is refused", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      const results = await Promise.allSettled([
        db.nested((sp) => sp.insertInto("items").values({ id: 1, name: "a" }).execute()),
        db.nested((sp) => sp.insertInto("items").values({ id: 2, name: "b" }).execute()),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
      const refused = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(SessionBusyError);
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toHaveLength(1);
    });

    it("two nested() blocks started in the same tick on an active session: one runs, the other is refused", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "outer" }).execute();
      const results = await Promise.allSettled([
        db.nested((sp) => sp.insertInto("items").values({ id: 2, name: "a" }).execute()),
        db.nested((sp) => sp.insertInto("items").values({ id: 3, name: "b" }).execute()),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect((results.find((result) => result.status === "rejected") as PromiseRejectedResult).reason).toBeInstanceOf(SessionBusyError);
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toHaveLength(2);
    });

    it("a statement from outside a running nested() block is refused with SessionBusyError", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      const entered = deferred();
      const release = deferred();
      const block = db.nested(async (sp) => {
        await sp.insertInto("items").values({ id: 1, name: "inside" }).execute();
        entered.resolve();
        await release.promise;
      });
      await entered.promise;
      // This code path is not inside the block: its statement would land in the savepoint.
      const error = await rejection(db.insertInto("items").values({ id: 2, name: "outside" }).execute());
      expect(error).toBeInstanceOf(SessionBusyError);
      expect(error.message).toMatch(/nested\(\) block/);
      release.resolve();
      await block;
      // Once the block has ended, the outer path may go on.
      await db.insertInto("items").values({ id: 3, name: "after the block" }).execute();
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toEqual(["after the block", "inside"]);
    });

    it("commit() from outside a running nested() block is refused with SessionBusyError", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      const entered = deferred();
      const release = deferred();
      const block = db.nested(async (sp) => {
        await sp.insertInto("items").values({ id: 1, name: "inside" }).execute();
        entered.resolve();
        await release.promise;
      });
      await entered.promise;
      await expect(db.commit()).rejects.toBeInstanceOf(SessionBusyError);
      await expect(db.rollback()).rejects.toBeInstanceOf(SessionBusyError);
      release.resolve();
      await block;
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toEqual(["inside"]);
    });

    it("the handle of a block that has ended is refused with SessionBusyError", async () => {
      const { sessions } = await setup();
      const db = sessions.open();
      const escaped = await db.nested(async (sp) => sp);
      const error = await rejection(escaped.selectFrom("items").selectAll().execute());
      expect(error).toBeInstanceOf(SessionBusyError);
      expect(error.message).toMatch(/ended/);
      await db.close();
    });

    it("commit() while a statement of the session is still running is refused with SessionBusyError", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "first" }).execute();
      const running = db.insertInto("items").values({ id: 2, name: "in flight" }).execute();
      // Both in the same tick as the statement: on SQLite it finishes within a few microtasks.
      const commitRefused = rejection(db.commit());
      const rollbackRefused = rejection(db.rollback());
      expect(await commitRefused).toBeInstanceOf(SessionBusyError);
      expect(await rollbackRefused).toBeInstanceOf(SessionBusyError);
      await running;
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toEqual(["first", "in flight"]);
    });

    it("commit() while the session's first statement is still starting the transaction is refused too", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      const running = db.insertInto("items").values({ id: 1, name: "first" }).execute();
      const error = await rejection(db.commit());
      expect(error).toBeInstanceOf(SessionBusyError);
      await running;
      await db.rollback();
      await db.close();
      expect(await itemNames(engine)).toEqual([]);
    });
  });

  describe("Kysely entry points that would escape the session", () => {
    it("transaction(), startTransaction(), connection() and destroy() throw NotSupportedError", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (db) => {
        expect(() => db.transaction()).toThrow(NotSupportedError);
        expect(() => db.transaction()).toThrow(/nested\(\)/);
        expect(() => db.startTransaction()).toThrow(NotSupportedError);
        expect(() => db.connection()).toThrow(NotSupportedError);
        await expect(db.destroy()).rejects.toBeInstanceOf(NotSupportedError);
        expect(db.isTransaction).toBe(true);
      });
      // destroy() did not close the engine's pool.
      expect(await itemNames(engine)).toEqual([]);
    });
  });

  describe("options", () => {
    it("an unknown option is rejected by name before the callback runs", async () => {
      const { sessions } = await setup();
      let called = false;
      const error = await rejection(
        sessions.run(
          async () => {
            called = true;
          },
          { autocommit: false } as SessionOptions,
        ),
      );
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain("autocommit");
      expect(error.message).toContain("autoCommit");
      expect(called).toBe(false);
    });

    it("unknown or invalid options are rejected by name in open(), factory defaults, withOptions() and retry", async () => {
      const { engine, sessions } = await setup();
      expect(() => sessions.open({ readonly: true } as SessionOptions)).toThrow(/readonly/);
      expect(() => createSessionFactory(engine, { retries: 3 } as SessionOptions)).toThrow(/retries/);
      expect(() => sessions.withOptions({ isolation: "serializable" } as SessionOptions)).toThrow(/isolation/);
      expect(() => sessions.open({ retry: { maxAttempt: 3 } } as SessionOptions)).toThrow(/retry\.maxAttempt/);
      expect(() => sessions.open({ isolationLevel: "snapshot-ish" } as unknown as SessionOptions)).toThrow(/isolationLevel/);
      expect(() => sessions.open({ retry: { maxAttempts: 0 } })).toThrow(ConfigurationError);
      await expect(sessions.bind(async () => 1, { autoComit: true } as SessionOptions)()).rejects.toThrow(/autoComit/);
    });
  });

  it("open() on a disposed engine throws EngineDisposedError", async () => {
    const { engine, sessions } = await setup();
    await engine.dispose();
    expect(() => sessions.open()).toThrow(EngineDisposedError);
    await expect(sessions.run(async () => 1)).rejects.toBeInstanceOf(EngineDisposedError);
  });
});

describeEachDialect("an independent session inside another session's run() (propagation \"requiresNew\", or open())", (ctx) => {
  const setup = sessionHarness(ctx);

  it("is refused at once on SQLite when the enclosing session holds the single writer (it would wait for itself), and works on PostgreSQL", async () => {
    const { engine, sessions } = await setup();
    const outcome = await sessions
      .run(async (outer) => {
        await outer.insertInto("items").values({ id: 1, name: "outer" }).execute();
        const manual = sessions.open();
        const opened = await manual.insertInto("items").values({ id: 3, name: "opened" }).execute().then(
          () => manual.commit(),
          (error: unknown) => error,
        );
        await manual.close();
        if (ctx.singleWriter) expect(opened).toBeInstanceOf(SessionBusyError);
        return sessions.run((inner) => inner.insertInto("items").values({ id: 2, name: "inner" }).execute(), { propagation: "requiresNew" }).then(
          () => "inner committed",
          (error: unknown) => error,
        );
      })
      .catch((error: unknown) => error);
    if (!ctx.singleWriter) {
      expect(outcome).toBe("inner committed");
      expect(await itemNames(engine)).toEqual(["inner", "opened", "outer"]);
    } else {
      expect(outcome).toBeInstanceOf(SessionBusyError);
      expect((outcome as Error).message).toMatch(/would wait for itself/);
      expect(await itemNames(engine)).toEqual(["outer"]);
    }
  });

  it("is fine when the enclosing session has not begun yet, and for read-only sessions beside the writer", async () => {
    const { engine, sessions } = await setup();
    await sessions.run(async (outer) => {
      await sessions.run((inner) => inner.insertInto("items").values({ id: 1, name: "first" }).execute(), { propagation: "requiresNew" });
      await outer.insertInto("items").values({ id: 2, name: "second" }).execute();
      if (ctx.readerBesideWriter) {
        const seen = await sessions.run((reader) => reader.selectFrom("items").select("name").execute(), { readOnly: true, propagation: "requiresNew" });
        expect(seen.map((row) => row.name)).toEqual(["first"]);
      }
    });
    expect(await itemNames(engine)).toEqual(["first", "second"]);
  });
});

