import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { EngineDisposedError, SandboxUnsupportedError, SessionBusyError, UniqueViolationError } from "../src/errors.js";
import { createMigrator } from "../src/migrate/migrator.js";
import { initializeDatabase } from "../src/schema/index.js";
import type { Session } from "../src/session/session.js";
import type { SessionFactory } from "../src/session/session-factory.js";
import { openSandbox, useSandbox } from "../src/testing/index.js";
import { agentPlatform, type AgentPlatformDB } from "./support/agent-platform-schema.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred, rejection } from "./support/engines.js";

/** Code under test: a service that holds an injected factory, as the docs recommend. */
class UserService {
  constructor(private readonly sessions: SessionFactory<AgentPlatformDB>) {}
  register(email: string): Promise<string> {
    return this.sessions.run(async (db) => {
      const { id } = await db.insertInto("users").values({ email, name: email }).returning("id").executeTakeFirstOrThrow();
      return id;
    });
  }
  /** Joins the caller's session when there is one. */
  rename(id: string, name: string): Promise<unknown> {
    const work = (db: Session<AgentPlatformDB>) => db.updateTable("users").set({ name }).where("id", "=", id).execute();
    const current = this.sessions.tryCurrent();
    return current ? work(current) : this.sessions.run(work);
  }
}

describeEachDialect("test sandbox: every session of the code under test is a savepoint, the test rolls back", (dialect) => {
  let engine: Engine<AgentPlatformDB>;
  beforeAll(async () => {
    engine = createEngine(dialect.url(), { schema: agentPlatform });
    await initializeDatabase(engine, agentPlatform);
  });
  afterAll(() => engine.dispose());

  // What the real database holds, seen from outside the sandbox (an in-memory database is the sandbox's own connection: nothing outside it).
  const users = async () =>
    !dialect.readerBesideWriter ? [] : (await engine.db.selectFrom("users").select("email").orderBy("email").execute()).map((row) => row.email);
  const sandbox = useSandbox(() => engine, { beforeEach, afterEach });

  it("the test sees what the code committed; the code's rollback and the test's end undo it", async () => {
    const service = new UserService(sandbox.sessions);
    const id = await service.register("ada@example.com");
    await expect(sandbox.sessions.run(async (db) => {
      await db.insertInto("users").values({ email: "lost@example.com", name: "lost" }).execute();
      throw new Error("the handler failed");
    })).rejects.toThrow("the handler failed");
    await sandbox.sessions.run((db) => service.rename(id, "Ada Lovelace"));
    expect(await sandbox.db.selectFrom("users").select(["email", "name"]).execute()).toEqual([{ email: "ada@example.com", name: "Ada Lovelace" }]);
    {
      await using manual = sandbox.sessions.open();
      await manual.insertInto("users").values({ email: "grace@example.com", name: "Grace" }).execute();
      await manual.commit();
      await manual.insertInto("users").values({ email: "uncommitted@example.com", name: "x" }).execute();
    }
    expect((await sandbox.db.selectFrom("users").select("email").orderBy("email").execute()).map((row) => row.email)).toEqual(["ada@example.com", "grace@example.com"]);
  });

  it("…so the next test starts from the database as it was", async () => {
    expect(await sandbox.db.selectFrom("users").selectAll().execute()).toEqual([]);
  });

  it("nested() blocks, current() and the schema's values work inside the sandbox", async () => {
    await sandbox.sessions.run(async (db) => {
      await db.insertInto("users").values({ email: "a@example.com", name: "a" }).execute();
      await db.nested((sp) => sp.insertInto("users").values({ email: "a@example.com", name: "dup" }).execute()).catch((error) => {
        if (!(error instanceof UniqueViolationError)) throw error;
      });
      await db.nested((sp) => sp.insertInto("users").values({ email: "b@example.com", name: "b" }).execute());
      expect(sandbox.sessions.current()).toBe(db);
    });
    const rows = await sandbox.db.selectFrom("users").selectAll().orderBy("email").execute();
    expect(rows.map((row) => row.email)).toEqual(["a@example.com", "b@example.com"]);
    expect(rows[0]!.createdAt).toBeInstanceOf(Date);
    expect(rows[0]!.isActive).toBe(true);
  });

  it("afterCommit hooks run when the code's own commit succeeds, afterRollback when it rolls back", async () => {
    const seen: string[] = [];
    await sandbox.sessions.run(async (db) => {
      await db.insertInto("users").values({ email: "hook@example.com", name: "h" }).execute();
      db.afterCommit(() => void seen.push("committed"));
    });
    await sandbox.sessions
      .run(async (db) => {
        db.afterRollback(() => void seen.push("rolled back"));
        throw new Error("no");
      })
      .catch(() => undefined);
    expect(seen).toEqual(["committed", "rolled back"]);
  });

  it("a failing autocommit statement of the code under test does not poison the test's transaction", async () => {
    await sandbox.engine.db.insertInto("users").values({ email: "once@example.com", name: "1" }).execute();
    const error = await rejection(sandbox.engine.db.insertInto("users").values({ email: "once@example.com", name: "2" }).execute());
    expect(error).toBeInstanceOf(UniqueViolationError);
    expect(await sandbox.db.selectFrom("users").select("name").execute()).toEqual([{ name: "1" }]);
  });

  it("concurrent sessions of the code take turns on the one connection; a session that would wait for its own caller is refused", async () => {
    const service = new UserService(sandbox.sessions);
    const gate = deferred();
    const first = sandbox.sessions.run(async (db) => {
      await db.insertInto("users").values({ email: "first@example.com", name: "1" }).execute();
      await gate.promise;
    });
    const second = service.register("second@example.com");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sandbox.engine.pool.status()).toMatchObject({ checkedOut: 1, waiting: 1 });
    gate.resolve();
    await Promise.all([first, second]);
    expect(await users()).toEqual([]); // nothing reached the real database
    expect((await sandbox.db.selectFrom("users").select("email").orderBy("email").execute()).map((row) => row.email)).toEqual(["first@example.com", "second@example.com"]);

    // A run() inside a run() joins it (the default) on every backend; one that asks for a
    // transaction of its own would wait for the one connection its caller holds: refused.
    const inner = await rejection(
      sandbox.sessions.run(async (db) => {
        await db.selectFrom("users").selectAll().execute();
        await sandbox.sessions.run((same) => same.selectFrom("users").selectAll().execute());
        await sandbox.sessions.run((other) => other.selectFrom("users").selectAll().execute(), { propagation: "requiresNew" });
      }),
    );
    expect(inner).toBeInstanceOf(SessionBusyError);
  });

  it("disposing the sandbox's engine leaves the real engine alone", async () => {
    await sandbox.engine.dispose();
    expect(await rejection(sandbox.engine.db.selectFrom("users").selectAll().execute())).toBeInstanceOf(EngineDisposedError);
    expect(await users()).toEqual([]);
  });

  it("migrations and statements a transaction cannot hold are refused with a typed error naming the escape hatch", async () => {
    const migrator = createMigrator(sandbox.engine, { scripts: [] });
    const error = await rejection(migrator.upgrade("head"));
    expect(error).toBeInstanceOf(SandboxUnsupportedError);
    const statement = dialect.isPostgres ? sql`create index concurrently ix_users_name on users (name)` : sql`vacuum`;
    const refused = await rejection(statement.execute(sandbox.engine.db));
    expect(refused).toBeInstanceOf(SandboxUnsupportedError);
    expect(refused.message).toMatch(/mode: "truncate"/);
    await sandbox.engine.db.insertInto("users").values({ email: "after@example.com", name: "still usable" }).execute();
  });
});

describeEachDialect("test sandbox: the end of a test fences its connection", (dialect) => {
  it("a session still running when its test ends is refused at its next step, and never reaches the next test's sandbox", async () => {
    const own = createEngine(dialect.url(), { schema: agentPlatform, pool: { size: 1 } }); // one connection: the next sandbox gets the same one
    try {
      await initializeDatabase(own, agentPlatform);
      const first = await openSandbox(own);
      const reached = deferred();
      const late = first.sessions.run(async (db) => {
        await db.insertInto("users").values({ email: "early@example.com", name: "early" }).execute();
        reached.resolve();
        await new Promise((resolve) => setTimeout(resolve, 50)); // a background task outliving its test
        await db.insertInto("users").values({ email: "late@example.com", name: "late" }).execute();
      });
      await reached.promise;
      await first.close();
      const second = await openSandbox(own);
      await second.db.insertInto("users").values({ email: "next@example.com", name: "next test" }).execute();
      expect(await rejection(late)).toBeInstanceOf(SandboxUnsupportedError);
      expect(await second.db.selectFrom("users").select("email").execute()).toEqual([{ email: "next@example.com" }]); // nothing leaked in, nothing aborted
      await second.close();
    } finally {
      await own.dispose();
    }
  });
});
