import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { createSessionFactory } from "../src/session/session-factory.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred } from "./support/engines.js";
import { buildTestApp, createItemsTables, itemIds, itemsDb } from "./support/fastify-app.js";
import { waitUntil } from "./support/wait-until.js";

describeEachDialect("athanor/fastify: request sessions", (dialect) => {
  let engine: Engine;
  let app: FastifyInstance | undefined;
  const statements: string[] = [];
  beforeAll(async () => {
    engine = createEngine(dialect.url(), { pool: { size: 4 } });
    engine.on("query", ({ sql: text }) => statements.push(text));
    await createItemsTables(engine);
  });
  afterAll(() => engine.dispose());
  beforeEach(async () => {
    await sql`delete from children`.execute(engine.db);
    await sql`delete from items`.execute(engine.db);
    statements.length = 0;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0, waiting: 0 });
  });
  const build = (routes: (app: FastifyInstance) => void, options: Record<string, unknown> = {}) => {
    app = buildTestApp({ engine, ...options }, routes);
    return app;
  };
  const insertItem = (id: number, name = `item ${id}`) => ({ id, name, qty: 1 });

  it("commits the handler's writes before the answer is sent", async () => {
    build((api) =>
      api.post("/items/:id", async (request, reply) => {
        await itemsDb(request).insertInto("items").values(insertItem(Number((request.params as { id: string }).id))).execute();
        return reply.code(201).send({ created: true });
      }),
    );
    const response = await app!.inject({ method: "POST", url: "/items/1" });
    expect(response.statusCode).toBe(201);
    expect(await itemIds(engine)).toEqual([1]);
  });

  it("request.db is the current session inside the handler: a service's own run() joins the request's transaction", async () => {
    const sessions = createSessionFactory(engine);
    // A service that runs its own unit of work; from a handler it must join the request's.
    const addItem = (id: number) => sessions.run((db) => (db as typeof db & ReturnType<typeof itemsDb>).insertInto("items").values(insertItem(id)).execute());
    let sameSession = false;
    build(
      (api) =>
        api.post("/items/:id", async (request, reply) => {
          await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
          await addItem(2); // on SQLite a session of its own would wait for the writer request.db holds
          sameSession = sessions.current() === request.db;
          if ((request.params as { id: string }).id === "fail") return reply.code(409).send({ refused: true });
          return reply.code(201).send({ created: true });
        }),
      { sessions },
    );
    expect((await app!.inject({ method: "POST", url: "/items/fail" })).statusCode).toBe(409);
    expect(await itemIds(engine)).toEqual([]); // the service's write rolled back with the request's
    expect((await app!.inject({ method: "POST", url: "/items/ok" })).statusCode).toBe(201);
    expect(await itemIds(engine)).toEqual([1, 2]);
    expect(sameSession).toBe(true);
  });

  it("rolls back when the handler throws", async () => {
    build((api) =>
      api.post("/items", async (request) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
        throw new Error("boom");
      }),
    );
    expect((await app!.inject({ method: "POST", url: "/items" })).statusCode).toBe(500);
    expect(await itemIds(engine)).toEqual([]);
  });

  it("rolls back when the handler answers with an error status itself", async () => {
    build((api) =>
      api.post("/items", async (request, reply) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
        return reply.code(422).send({ invalid: true });
      }),
    );
    const response = await app!.inject({ method: "POST", url: "/items" });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({ invalid: true });
    expect(await itemIds(engine)).toEqual([]);
  });

  it("commits on a redirect (3xx is success)", async () => {
    build((api) =>
      api.post("/items", async (request, reply) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
        return reply.redirect("/items/1", 303);
      }),
    );
    expect((await app!.inject({ method: "POST", url: "/items" })).statusCode).toBe(303);
    expect(await itemIds(engine)).toEqual([1]);
  });

  it("a route that never reads request.db takes no connection and runs no statement", async () => {
    const created = engine.pool.status().created;
    build((api) => {
      api.get("/plain", async () => ({ ok: true }));
      api.get("/touched", async (request) => ({ state: itemsDb(request).state }));
    });
    expect((await app!.inject("/plain")).json()).toEqual({ ok: true });
    expect((await app!.inject("/touched")).json()).toEqual({ state: "idle" });
    expect(statements).toEqual([]);
    expect(engine.pool.status().created).toBe(created);
  });

  it("gives hooks and the handler the same session", async () => {
    build((api) => {
      api.addHook("preHandler", async (request) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
      });
      api.post("/items", async (request) => {
        await itemsDb(request).insertInto("items").values(insertItem(2)).execute();
        return itemsDb(request).selectFrom("items").select("id").orderBy("id").execute();
      });
    });
    expect((await app!.inject({ method: "POST", url: "/items" })).json()).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await itemIds(engine)).toEqual([1, 2]);
  });

  it("rolls back when the payload cannot be serialized: the commit comes after serialization", async () => {
    build((api) =>
      api.post("/items", async (request) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
        return { count: 1n };
      }),
    );
    expect((await app!.inject({ method: "POST", url: "/items" })).statusCode).toBe(500);
    expect(await itemIds(engine)).toEqual([]);
  });

  it("runs afterCommit hooks before the answer is sent", async () => {
    const events: string[] = [];
    build((api) =>
      api.post("/items", async (request) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
        itemsDb(request).afterCommit(() => void events.push("committed"));
        return { ok: true };
      }),
    );
    const response = await app!.inject({ method: "POST", url: "/items" });
    events.push(`answered ${response.statusCode}`);
    expect(events).toEqual(["committed", "answered 200"]);
  });

  it("a handler that sends the reply and goes on: the answer waits for the rest of its work, committed with it", async () => {
    build((api) =>
      api.post("/items", async (request, reply) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
        void reply.send({ sent: true });
        await new Promise((resolve) => setTimeout(resolve, 20));
        await itemsDb(request).insertInto("items").values(insertItem(2)).execute();
        return reply;
      }),
    );
    const response = await app!.inject({ method: "POST", url: "/items" });
    expect(response.json()).toEqual({ sent: true });
    expect(await itemIds(engine)).toEqual([1, 2]);
  });

  it("a handler that sends the reply and then throws: rolled back, answered with the error", async () => {
    build((api) =>
      api.post("/items", async (request, reply) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
        void reply.send({ sent: true });
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error("after send");
      }),
    );
    const response = await app!.inject({ method: "POST", url: "/items" });
    expect(response.statusCode).toBe(500);
    expect(await itemIds(engine)).toEqual([]);
  });

  it("a hijacked reply: committed when the handler returns, rolled back when it throws", async () => {
    build((api) => {
      api.post("/hijack/:id", async (request, reply) => {
        const id = Number((request.params as { id: string }).id);
        await itemsDb(request).insertInto("items").values(insertItem(id)).execute();
        reply.hijack();
        reply.raw.end("raw");
        if (id === 2) throw new Error("after hijack");
      });
    });
    expect((await app!.inject({ method: "POST", url: "/hijack/1" })).body).toBe("raw");
    expect((await app!.inject({ method: "POST", url: "/hijack/2" })).body).toBe("raw");
    await waitUntil("the hijacked sessions to end", () => engine.pool.status().checkedOut === 0);
    expect(await itemIds(engine)).toEqual([1]);
  });

  it("a HEAD request to a GET route ends its session", async () => {
    build((api) => api.get("/items", (request) => itemsDb(request).selectFrom("items").selectAll().execute()));
    expect((await app!.inject({ method: "HEAD", url: "/items" })).statusCode).toBe(200);
    expect((await app!.inject({ method: "GET", url: "/items" })).json()).toEqual([]);
  });

  it("readOnly routes refuse writes", async () => {
    build((api) => {
      api.get("/read", { config: { athanor: { readOnly: true } } }, (request) => itemsDb(request).selectFrom("items").selectAll().execute());
      api.post("/write", { config: { athanor: { readOnly: true } } }, async (request) => {
        await itemsDb(request).insertInto("items").values(insertItem(1)).execute();
        return { ok: true };
      });
    });
    expect((await app!.inject("/read")).json()).toEqual([]);
    const response = await app!.inject({ method: "POST", url: "/write" });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: "READ_ONLY_VIOLATION" });
    expect(await itemIds(engine)).toEqual([]);
  });

  it.runIf(dialect.isPostgres)("isolationLevel routes run at that level", async () => {
    build((api) => {
      const level = async (request: Parameters<typeof itemsDb>[0]) => (await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(itemsDb(request))).rows[0]!.level;
      api.get("/serializable", { config: { athanor: { isolationLevel: "serializable" } } }, level);
      api.get("/default", level);
    });
    expect((await app!.inject("/serializable")).body).toBe("serializable");
    expect((await app!.inject("/default")).body).toBe("read committed");
  });

  it("transaction: false routes have no request session; app.athanor.db autocommits", async () => {
    build((api) => {
      api.post("/autocommit", { config: { athanor: { transaction: false } } }, async (request) => {
        await request.server.athanor.db.insertInto("items" as never).values(insertItem(1) as never).execute();
        return { ok: true };
      });
      api.get("/refused", { config: { athanor: { transaction: false } } }, async (request) => {
        try {
          void request.db;
          return "opened";
        } catch (error) {
          return (error as Error).message;
        }
      });
    });
    expect((await app!.inject({ method: "POST", url: "/autocommit" })).statusCode).toBe(200);
    expect(await itemIds(engine)).toEqual([1]);
    expect((await app!.inject("/refused")).body).toMatch(/transaction = false.*request\.server\.athanor\.db/);
  });

  it("a route declared before the plugin is registered: request.db names the fix", async () => {
    const early = buildTestApp({ engine }, () => undefined);
    app = early;
    early.get("/early", async (request) => {
      try {
        void request.db;
        return "opened";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect((await early.inject("/early")).body).toMatch(/declared before the athanor plugin was registered.*await app\.register\(athanorPlugin/);
  });

  it("rejects unknown route settings by name when the route is declared", async () => {
    build((api) => api.get("/typo", { config: { athanor: { readonly: true } as never } }, () => "x"));
    await expect(app!.ready()).rejects.toThrow(/unknown option route GET \/typo: config\.athanor\.readonly: did you mean "readOnly"\?/);
  });

  it("rejects unknown plugin options by name", async () => {
    app = buildTestApp({ engine, closeTimeout: 5 } as never, () => undefined);
    await expect(app.ready()).rejects.toThrow(/unknown option athanor plugin options\.closeTimeout: did you mean "closeTimeoutMillis"\?/);
  });

  it("owns nothing it did not create: a given engine outlives the app, one made from a URL is disposed with it", async () => {
    const given = buildTestApp({ engine }, (api) => api.get("/", (request) => itemsDb(request).selectFrom("items").selectAll().execute()));
    await given.inject("/");
    await given.close();
    expect(engine.disposed).toBe(false);

    const made = buildTestApp({ url: dialect.url(), engineOptions: { pool: { size: 2 } } }, (api) => api.get("/", async (request) => (await sql`select 1 as one`.execute(itemsDb(request))).rows));
    expect((await made.inject("/")).statusCode).toBe(200);
    const madeEngine = made.athanor.engine;
    expect(madeEngine).not.toBe(engine);
    await made.close();
    expect(madeEngine.disposed).toBe(true);
  });

  it("takes the session factory it is given (tests swap it) and its engine", async () => {
    const sessions = createSessionFactory(engine);
    build((api) => api.get("/", (request) => ({ same: request.server.athanor.sessions === sessions, engine: request.server.athanor.engine === engine })), { engine: undefined, sessions });
    expect((await app!.inject("/")).json()).toEqual({ same: true, engine: true });
  });

  it("app.close() waits for the sessions of requests in flight, then disposes the engine it made", async () => {
    const release = deferred();
    const entered = deferred();
    const made = buildTestApp({ url: dialect.url() }, (api) =>
      api.post("/slow", async (request) => {
        if (dialect.name === "sqlite-memory") await createItemsTables(request.server.athanor.engine); // its own in-memory database
        await itemsDb(request).insertInto("items").values(insertItem(7)).execute();
        entered.resolve();
        await release.promise;
        return { ok: true };
      }),
    );
    const response = made.inject({ method: "POST", url: "/slow" });
    await entered.promise;
    const closed = made.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(made.athanor.engine.disposed).toBe(false);
    release.resolve();
    expect((await response).statusCode).toBe(200);
    await closed;
    expect(made.athanor.engine.disposed).toBe(true);
    if (dialect.name !== "sqlite-memory") expect(await itemIds(engine)).toEqual([7]);
  });

  it("app.close() rolls back sessions still open after closeTimeoutMillis", async () => {
    const entered = deferred();
    const never = deferred();
    const made = buildTestApp({ engine, closeTimeoutMillis: 100 }, (api) =>
      api.post("/stuck", async (request) => {
        await itemsDb(request).insertInto("items").values(insertItem(8)).execute();
        entered.resolve();
        await never.promise;
        return { ok: true };
      }),
    );
    void made.inject({ method: "POST", url: "/stuck" }).catch(() => undefined);
    await entered.promise;
    await made.close();
    expect(engine.pool.status().checkedOut).toBe(0);
    expect(await itemIds(engine)).toEqual([]);
    never.resolve();
  });
});
