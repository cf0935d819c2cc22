import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { ForeignKeyViolationError } from "../src/errors.js";
import { createSessionFactory } from "../src/session/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { engineFactory } from "./support/engines.js";
import { itemNames, sessionHarness } from "./support/session-harness.js";

describeEachDialect("sessions.open", (ctx) => {
  const setup = sessionHarness(ctx);
  const openEngine = engineFactory();

  describe("lazy connection", () => {
    it("takes no connection until the first statement, and holds one until commit", async () => {
      const { engine, sessions, on } = await setup();
      let checkouts = 0;
      on("checkout", () => checkouts++);
      const db = sessions.open();
      expect(db.state).toBe("idle");
      expect(engine.pool.status().checkedOut).toBe(0);

      await db.insertInto("items").values({ id: 1, name: "a" }).execute();
      expect(db.state).toBe("active");
      expect(engine.pool.status().checkedOut).toBe(1);
      await db.selectFrom("items").selectAll().execute();
      expect(checkouts).toBe(1);

      await db.commit();
      expect(db.state).toBe("idle");
      expect(engine.pool.status().checkedOut).toBe(0);
      await db.close();
    });

    it("never takes a connection when it never queries", async () => {
      const engine = openEngine(ctx.url());
      let checkouts = 0;
      engine.on("checkout", () => checkouts++);
      const sessions = createSessionFactory(engine);

      expect(await sessions.run(async () => "no statement")).toBe("no statement");
      const db = sessions.open();
      db.afterCommit(() => {});
      await db.commit();
      await db.rollback();
      await db.close();

      expect(checkouts).toBe(0);
      expect(engine.pool.status()).toMatchObject({ total: 0, checkedOut: 0, created: 0 });
    });
  });

  describe("commit and rollback", () => {
    it("commit makes the work durable and keeps the session usable for a next transaction", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "first" }).execute();
      await db.commit();
      expect(await itemNames(engine)).toEqual(["first"]);

      await db.insertInto("items").values({ id: 2, name: "second" }).execute();
      expect(db.state).toBe("active");
      await db.commit();
      expect(await itemNames(engine)).toEqual(["first", "second"]);
      await db.close();
    });

    it("rollback discards the work and keeps the session usable", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "discarded" }).execute();
      await db.rollback();
      expect(db.state).toBe("idle");
      expect(engine.pool.status().checkedOut).toBe(0);
      expect(await itemNames(engine)).toEqual([]);

      await db.insertInto("items").values({ id: 2, name: "kept" }).execute();
      await db.commit();
      await db.close();
      expect(await itemNames(engine)).toEqual(["kept"]);
    });

    it("a COMMIT the database refuses (deferred foreign key) rolls back, runs afterRollback, and leaves the session usable", async () => {
      const { engine, sessions } = await setup();
      await sql`drop table if exists children`.execute(engine.db);
      await sql`drop table if exists parents`.execute(engine.db);
      await sql`create table parents (id integer primary key)`.execute(engine.db);
      await sql`create table children (id integer primary key, parent_id integer not null references parents (id) deferrable initially deferred)`.execute(engine.db);
      const hooks: string[] = [];
      const db = sessions.open();
      await sql`insert into children (id, parent_id) values (1, 42)`.execute(db);
      db.afterCommit(() => void hooks.push("afterCommit"));
      db.afterRollback(() => void hooks.push("afterRollback"));
      await expect(db.commit()).rejects.toBeInstanceOf(ForeignKeyViolationError);
      expect(hooks).toEqual(["afterRollback"]);
      expect(db.state).toBe("idle");
      expect(engine.pool.status().checkedOut).toBe(0);

      await sql`insert into parents (id) values (42)`.execute(db);
      await sql`insert into children (id, parent_id) values (1, 42)`.execute(db);
      await db.commit();
      await db.close();
      const { rows } = await sql<{ id: number }>`select id from children`.execute(engine.db);
      expect(rows).toEqual([{ id: 1 }]);
    });

    it("a session sees its own uncommitted writes", async () => {
      const { sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "mine" }).execute();
      const rows = await db.selectFrom("items").select("name").execute();
      expect(rows).toEqual([{ name: "mine" }]);
      await db.close();
    });

    // In-memory SQLite and PGlite have one connection: there is no other one to look from.
    it.skipIf(!ctx.readerBesideWriter)("other connections do not see uncommitted writes, and do after commit", async () => {
      // (In memory every session shares one connection, so an outside read would wait for the writer.)
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "pending" }).execute();
      expect(await itemNames(engine)).toEqual([]);
      await db.commit();
      expect(await itemNames(engine)).toEqual(["pending"]);
      await db.close();
    });
  });

  describe("close", () => {
    it("rolls back uncommitted work, returns the connection and ends the session", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "uncommitted" }).execute();
      await db.close();
      expect(db.state).toBe("closed");
      expect(engine.pool.status().checkedOut).toBe(0);
      expect(await itemNames(engine)).toEqual([]);
    });

    it("is idempotent, also when called concurrently", async () => {
      const { engine, sessions } = await setup();
      const db = sessions.open();
      await db.insertInto("items").values({ id: 1, name: "a" }).execute();
      await Promise.all([db.close(), db.close()]);
      await db.close();
      expect(db.state).toBe("closed");
      expect(engine.pool.status().checkedOut).toBe(0);
    });
  });

  describe("await using", () => {
    it("closes the session at the end of the scope, rolling back what was not committed", async () => {
      const { engine, sessions } = await setup();
      let escaped;
      {
        await using db = sessions.open();
        escaped = db;
        await db.insertInto("items").values({ id: 1, name: "scoped" }).execute();
        expect(engine.pool.status().checkedOut).toBe(1);
      }
      expect(escaped.state).toBe("closed");
      expect(engine.pool.status().checkedOut).toBe(0);
      expect(await itemNames(engine)).toEqual([]);
    });

    it("keeps what was committed inside the scope", async () => {
      const { engine, sessions } = await setup();
      {
        await using db = sessions.open();
        await db.insertInto("items").values({ id: 1, name: "committed" }).execute();
        await db.commit();
      }
      expect(await itemNames(engine)).toEqual(["committed"]);
    });

    it("closes the session when the scope is left by a throw", async () => {
      const { engine, sessions } = await setup();
      const attempt = async (): Promise<void> => {
        await using db = sessions.open();
        await db.insertInto("items").values({ id: 1, name: "thrown away" }).execute();
        throw new Error("left by a throw");
      };
      await expect(attempt()).rejects.toThrow("left by a throw");
      expect(engine.pool.status().checkedOut).toBe(0);
      expect(await itemNames(engine)).toEqual([]);
    });
  });
});
