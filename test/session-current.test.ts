import { describe, expect, it } from "vitest";
import { NoCurrentSessionError } from "../src/errors.js";
import { createSessionFactory, type Session, type SessionFactory } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, engineFactory, rejection } from "./support/engines.js";
import { itemNames, sessionHarness, type SessionTestDb } from "./support/session-harness.js";

/** A service that takes the factory by injection and uses whatever session is current. */
class InventoryService {
  constructor(private readonly sessions: SessionFactory<SessionTestDb>) {}

  async add(id: number, name: string): Promise<Session<SessionTestDb>> {
    const db = this.sessions.current();
    await db.insertInto("items").values({ id, name }).execute();
    return db;
  }
}

describeEachDialect("sessions.current", (ctx) => {
  const setup = sessionHarness(ctx);
  const openEngine = engineFactory();

  describe("inside run()", () => {
    it("returns the run's session in the callback and in functions it calls", async () => {
      const { sessions } = await setup();
      const service = new InventoryService(sessions);
      await sessions.run(async (db) => {
        expect(sessions.current()).toBe(db);
        expect(sessions.tryCurrent()).toBe(db);
        expect(await service.add(1, "through a service")).toBe(db);
      });
    });

    it("follows the async context into timers and Promise.all branches", async () => {
      const { sessions } = await setup();
      await sessions.run(async (db) => {
        const fromTimer = await new Promise<Session<SessionTestDb>>((resolve) => setTimeout(() => resolve(sessions.current()), 1));
        const fromImmediate = await new Promise<Session<SessionTestDb>>((resolve) => setImmediate(() => resolve(sessions.current())));
        const fromBranches = await Promise.all(
          [1, 2, 3].map(async (i) => {
            await new Promise((resolve) => setTimeout(resolve, i));
            return sessions.current();
          }),
        );
        expect(fromTimer).toBe(db);
        expect(fromImmediate).toBe(db);
        expect(fromBranches).toEqual([db, db, db]);
      });
    });

    it("statements through current() are part of the run's transaction", async () => {
      const { engine, sessions } = await setup();
      const service = new InventoryService(sessions);
      await rejection(
        sessions.run(async () => {
          await Promise.all([service.add(1, "a"), service.add(2, "b")]);
          throw new Error("roll everything back");
        }),
      );
      expect(await itemNames(engine)).toEqual([]);

      await sessions.run(async () => {
        await new Promise<void>((resolve, reject) => setTimeout(() => service.add(3, "from a timer").then(() => resolve(), reject), 1));
      });
      expect(await itemNames(engine)).toEqual(["from a timer"]);
    });

    it("an inner run() joins the outer session by default; a requiresNew one binds its own, and the outer one is current again after it", async () => {
      const { sessions } = await setup();
      await sessions.run(async (outer) => {
        await sessions.run(async (inner) => {
          expect(inner).toBe(outer);
          expect(sessions.current()).toBe(outer);
        });
        await sessions.run(
          async (inner) => {
            expect(inner).not.toBe(outer);
            expect(sessions.current()).toBe(inner);
          },
          { propagation: "requiresNew" },
        );
        expect(sessions.current()).toBe(outer);
      });
    });

    it("inside nested() returns the run's session, whose statements go into the savepoint", async () => {
      const { engine, sessions } = await setup();
      const service = new InventoryService(sessions);
      await sessions.run(async (db) => {
        await service.add(1, "outer");
        await db
          .nested(async () => {
            expect(sessions.current()).toBe(db);
            await service.add(2, "inside the block");
            throw new Error("undo the block");
          })
          .catch(() => undefined);
      });
      expect(await itemNames(engine)).toEqual(["outer"]);
    });

    it("is shared with factories made by withOptions()", async () => {
      const { sessions } = await setup();
      const readOnly = sessions.withOptions({ readOnly: true });
      await sessions.run(async (db) => {
        expect(readOnly.current()).toBe(db);
      });
      await readOnly.run(async (db) => {
        expect(sessions.current()).toBe(db);
      });
    });

    it("concurrent runs each see their own session", async () => {
      const { sessions } = await setup();
      const bothStarted = deferred();
      let started = 0;
      const seen = await Promise.all(
        [1, 2].map((i) =>
          sessions.run(async (db) => {
            if (++started === 2) bothStarted.resolve();
            await bothStarted.promise;
            return { i, same: sessions.current() === db };
          }),
        ),
      );
      expect(seen).toEqual([
        { i: 1, same: true },
        { i: 2, same: true },
      ]);
    });
  });

  describe("outside run()", () => {
    it("current() throws NoCurrentSessionError and tryCurrent() returns undefined", async () => {
      const { sessions } = await setup();
      expect(() => sessions.current()).toThrow(NoCurrentSessionError);
      expect(sessions.tryCurrent()).toBeUndefined();
    });

    it("a session from open() is not bound to the async context", async () => {
      const { sessions } = await setup();
      const db = sessions.open();
      await db.selectFrom("items").selectAll().execute();
      expect(() => sessions.current()).toThrow(NoCurrentSessionError);
      await db.close();
    });

    it("a timer scheduled inside run() that fires after it ended finds no session", async () => {
      const { sessions } = await setup();
      const fired = deferred<unknown>();
      await sessions.run(async () => {
        setTimeout(() => {
          try {
            fired.resolve(sessions.current());
          } catch (error) {
            fired.resolve(error);
          }
        }, 1);
      });
      expect(await fired.promise).toBeInstanceOf(NoCurrentSessionError);
    });

    it("the factory of another engine does not see this run's session", async () => {
      const { sessions } = await setup();
      const other = createSessionFactory(openEngine(ctx.url()));
      await sessions.run(async () => {
        expect(() => other.current()).toThrow(NoCurrentSessionError);
      });
    });
  });
});
