import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { SerializationFailureError, SessionBusyError, SessionJoinError, TransactionAbortedError, TransactionStateError, UniqueViolationError } from "../src/errors.js";
import { openSandbox } from "../src/testing/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { rejection } from "./support/engines.js";
import { itemNames, sessionHarness } from "./support/session-harness.js";

class Oops extends Error {}

describeEachDialect("run() inside run(): propagation", (ctx) => {
  const setup = sessionHarness(ctx);

  describe('"required" (the default): the inner run joins the outer transaction', () => {
    it("runs on the outer session's connection and transaction; the outermost run commits both, on every dialect", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (outer) => {
        await outer.insertInto("items").values({ id: 1, name: "outer" }).execute();
        const seen = await sessions.run(async (inner) => {
          expect(inner).toBe(outer);
          expect(sessions.current()).toBe(outer);
          await inner.insertInto("items").values({ id: 2, name: "inner" }).execute();
          expect(engine.pool.status().checkedOut).toBe(1);
          return inner.selectFrom("items").select("name").orderBy("name").execute();
        });
        expect(seen.map((row) => row.name)).toEqual(["inner", "outer"]);
        // Nothing is committed before the outermost run returns.
        if (ctx.readerBesideWriter) expect(await itemNames(engine)).toEqual([]);
      });
      expect(await itemNames(engine)).toEqual(["inner", "outer"]);
    });

    it("an outer failure after the inner run returned rolls back the inner work too", async () => {
      const { engine, sessions } = await setup();
      const error = await rejection(
        sessions.run(async () => {
          await sessions.run((db) => db.insertInto("items").values({ id: 1, name: "inner" }).execute());
          throw new Oops("after");
        }),
      );
      expect(error).toBeInstanceOf(Oops);
      expect(await itemNames(engine)).toEqual([]);
    });

    it("an inner throw propagates and aborts the outer transaction: later statements and the commit are refused, nothing is committed", async () => {
      const { engine, sessions } = await setup();
      const thrown = new Oops("inner failed half-way");
      const error = await rejection(
        sessions.run(async (outer) => {
          await outer.insertInto("items").values({ id: 1, name: "outer" }).execute();
          const inner = await rejection(
            sessions.run(async (db) => {
              await db.insertInto("items").values({ id: 2, name: "half" }).execute();
              throw thrown;
            }),
          );
          expect(inner).toBe(thrown);
          expect(outer.state).toBe("aborted");
          const next = await rejection(outer.insertInto("items").values({ id: 3, name: "after" }).execute());
          expect(next).toBeInstanceOf(TransactionAbortedError);
          expect(next.cause).toBe(thrown);
          expect(next.message).toMatch(/a run\(\) that joined it threw/);
        }),
      );
      expect(error).toBeInstanceOf(TransactionAbortedError);
      expect(await itemNames(engine)).toEqual([]);
    });

    it("caught inside nested(), an inner failure undoes only that block and the outer goes on", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (outer) => {
        await outer.insertInto("items").values({ id: 1, name: "outer" }).execute();
        const error = await rejection(
          outer.nested(() =>
            sessions.run(async (db) => {
              await db.insertInto("items").values({ id: 2, name: "undone" }).execute();
              await db.insertInto("items").values({ id: 3, name: "outer" }).execute(); // duplicate name
            }),
          ),
        );
        expect(error).toBeInstanceOf(UniqueViolationError);
        await outer.insertInto("items").values({ id: 4, name: "kept" }).execute();
      });
      expect(await itemNames(engine)).toEqual(["kept", "outer"]);
    });

    it("commit(), rollback() and close() inside a joined run are refused, through any handle; hooks wait for the outer commit", async () => {
      const { engine, sessions } = await setup();
      const events: string[] = [];
      await sessions.run(async (outer) => {
        await sessions.run(async (db) => {
          await db.insertInto("items").values({ id: 1, name: "a" }).execute();
          db.afterCommit(() => void events.push("inner afterCommit"));
          for (const attempt of [() => db.commit(), () => db.rollback(), () => sessions.current().commit(), () => outer.close()]) {
            const error = await rejection(attempt);
            expect(error).toBeInstanceOf(TransactionStateError);
            expect(error.message).toMatch(/joined the enclosing session's transaction/);
          }
        });
        expect(events).toEqual([]);
        expect(outer.state).toBe("active");
      });
      expect(events).toEqual(["inner afterCommit"]);
      expect(await itemNames(engine)).toEqual(["a"]);
    });

    it("concurrent joined runs (Promise.all) queue their statements on the one transaction", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async () => {
        await Promise.all(
          [1, 2, 3].map((id) =>
            sessions.run(async (db) => {
              await db.insertInto("items").values({ id, name: `n${id}` }).execute();
              await db.updateTable("items").set({ qty: id }).where("id", "=", id).execute();
            }),
          ),
        );
      });
      expect(await itemNames(engine)).toEqual(["n1", "n2", "n3"]);
    });

    it("a joined run that names another isolation level, or autoCommit: false, is refused before it runs; the same level, readOnly and retry are fine", async () => {
      const { engine, sessions } = await setup();
      let calls = 0;
      const count = async () => {
        calls++;
      };
      await sessions.run(
        async () => {
          const other = await rejection(sessions.run(count, { isolationLevel: "read committed" }));
          expect(other).toBeInstanceOf(SessionJoinError);
          expect(other).toMatchObject({ code: "SESSION_JOIN_REFUSED", option: "isolationLevel" });
          expect(await rejection(sessions.run(count, { autoCommit: false, propagation: "nested" }))).toMatchObject({ option: "autoCommit" });
          expect(calls).toBe(0);
          await sessions.run(count, { isolationLevel: "serializable" });
          await sessions.withOptions({ readOnly: true }).run(count);
          await sessions.run(count, { retry: true });
          expect(calls).toBe(3);
        },
        { isolationLevel: "serializable" },
      );
      expect(await itemNames(engine)).toEqual([]);
    });

    it("only the outermost run retries: a retryable failure in a joined run is not retried there, the outer run re-runs everything", async () => {
      const { engine, sessions } = await setup();
      let outerAttempts = 0;
      let innerAttempts = 0;
      await sessions.run(
        async (outer) => {
          outerAttempts++;
          await outer.insertInto("items").values({ id: 1, name: `attempt ${outerAttempts}` }).execute();
          await sessions.run(
            async (db) => {
              innerAttempts++;
              await db.insertInto("items").values({ id: 2, name: `inner ${innerAttempts}` }).execute();
              if (innerAttempts === 1) throw new SerializationFailureError("simulated conflict");
            },
            { retry: { maxAttempts: 5, baseDelayMillis: 0 } },
          );
        },
        { retry: { maxAttempts: 3, baseDelayMillis: 0 } },
      );
      expect([outerAttempts, innerAttempts]).toEqual([2, 2]);
      expect(await itemNames(engine)).toEqual(["attempt 2", "inner 2"]);
    });
  });

  describe('"nested": the inner run is a savepoint of the outer session', () => {
    it("an inner throw rolls back only its work; the outer catches it and commits the rest", async () => {
      const { engine, sessions } = await setup();
      await sessions.run(async (outer) => {
        await outer.insertInto("items").values({ id: 1, name: "outer" }).execute();
        const error = await rejection(
          sessions.run(
            async (db) => {
              await db.insertInto("items").values({ id: 2, name: "undone" }).execute();
              throw new Oops("nope");
            },
            { propagation: "nested" },
          ),
        );
        expect(error).toBeInstanceOf(Oops);
        expect(outer.state).toBe("active");
        await sessions.run((db) => db.insertInto("items").values({ id: 3, name: "nested ok" }).execute(), { propagation: "nested" });
      });
      expect(await itemNames(engine)).toEqual(["nested ok", "outer"]);
    });

    it("two nested runs at once fail clearly (SessionBusyError), as two nested() blocks do", async () => {
      const { sessions } = await setup();
      await sessions.run(async () => {
        const results = await Promise.allSettled([1, 2].map((id) => sessions.run((db) => db.insertInto("items").values({ id, name: `n${id}` }).execute(), { propagation: "nested" })));
        expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected"]);
        expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(SessionBusyError);
      });
    });
  });

  describe('"requiresNew": a transaction of its own', () => {
    it("commits on its own; with a single writer it is refused while the outer session holds it (it would wait for itself)", async () => {
      const { engine, sessions } = await setup();
      const outcome = await rejection(
        sessions.run(async (outer) => {
          await outer.insertInto("items").values({ id: 1, name: "outer" }).execute();
          const inner = await sessions
            .run((db) => db.insertInto("items").values({ id: 2, name: "independent" }).execute(), { propagation: "requiresNew" })
            .then(
              () => "committed",
              (error: unknown) => error,
            );
          if (!ctx.singleWriter) expect(inner).toBe("committed");
          else {
            expect(inner).toBeInstanceOf(SessionBusyError);
            expect((inner as Error).message).toMatch(/would wait for itself/);
          }
          throw new Oops("outer rolls back");
        }),
      );
      expect(outcome).toBeInstanceOf(Oops);
      expect(await itemNames(engine)).toEqual(!ctx.singleWriter ? ["independent"] : []);
    });

    it("before the outer session has begun, it runs on every dialect and commits independently", async () => {
      const { engine, sessions } = await setup();
      await rejection(
        sessions.run(async (outer) => {
          await sessions.run((db) => db.insertInto("items").values({ id: 1, name: "independent" }).execute(), { propagation: "requiresNew" });
          await outer.insertInto("items").values({ id: 2, name: "outer" }).execute();
          throw new Oops("outer rolls back");
        }),
      );
      expect(await itemNames(engine)).toEqual(["independent"]);
    });

    it("as a factory default (withOptions), and open() inside run() is always independent", async () => {
      const { engine, sessions } = await setup();
      const independent = sessions.withOptions({ propagation: "requiresNew" });
      await sessions.run(async () => {
        await independent.run((db) => db.insertInto("items").values({ id: 1, name: "own" }).execute());
        const manual = sessions.open();
        await manual.insertInto("items").values({ id: 2, name: "manual" }).execute();
        await manual.commit();
        await manual.close();
      });
      expect(await itemNames(engine)).toEqual(["manual", "own"]);
    });
  });

  it("an unknown propagation is refused by name", async () => {
    const { sessions } = await setup();
    const error = await rejection(sessions.run(async () => undefined, { propagation: "mandatory" as never }));
    expect(error.message).toMatch(/propagation/);
  });

  describe("in a test sandbox (every session a savepoint on one connection): the same rules", () => {
    it("a joined run works and commits with the outer; requiresNew is refused as on SQLite", async () => {
      const { engine } = await setup();
      const sandbox = await openSandbox(engine);
      try {
        await sandbox.sessions.run(async (outer) => {
          await outer.insertInto("items").values({ id: 1, name: "outer" }).execute();
          await sandbox.sessions.run((db) => db.insertInto("items").values({ id: 2, name: "joined" }).execute());
          await sandbox.sessions.run((db) => db.insertInto("items").values({ id: 3, name: "nested" }).execute(), { propagation: "nested" });
          const busy = await rejection(sandbox.sessions.run((db) => db.selectFrom("items").selectAll().execute(), { propagation: "requiresNew" }));
          expect(busy).toBeInstanceOf(SessionBusyError);
        });
        const rows = await sql<{ name: string }>`select name from items order by name`.execute(sandbox.db);
        expect(rows.rows.map((row) => row.name)).toEqual(["joined", "nested", "outer"]);
      } finally {
        await sandbox.close();
      }
      expect(await itemNames(engine)).toEqual([]);
    });
  });
});
