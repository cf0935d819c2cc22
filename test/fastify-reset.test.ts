import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { defineSchema, dropAll, initializeDatabase, integer, table, text, type InferDatabase } from "../src/schema/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred } from "./support/engines.js";
import { buildTestApp } from "./support/fastify-app.js";

const notes = table("notes", { id: integer().primaryKey(), body: text().notNull() });
const schema = defineSchema({ notes });
type NotesDB = InferDatabase<typeof schema>;

describeEachDialect("athanor/fastify: POST /admin/reset-database", (dialect) => {
  let engine: Engine<NotesDB>;
  let app: FastifyInstance | undefined;
  let logs: string[];
  const saved = { ENVIRONMENT: process.env.ENVIRONMENT, APP_ENV: process.env.APP_ENV };
  beforeAll(async () => {
    engine = createEngine(dialect.url(), { schema });
    await dropAll(engine, schema);
    await initializeDatabase(engine, schema);
  });
  afterAll(() => engine.dispose());
  beforeEach(async () => {
    logs = [];
    await engine.db.deleteFrom("notes").execute();
    await engine.db.insertInto("notes").values({ id: 1, body: "keep me?" }).execute();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const build = (reset: Parameters<typeof buildTestApp>[0]["reset"], hold?: (db: Engine<NotesDB>["db"]) => Promise<unknown>, release?: Promise<void>, entered?: () => void) => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    app = buildTestApp({ engine, reset }, (api) => {
      api.get("/notes", (request) => (request.db as never as Engine<NotesDB>["db"]).selectFrom("notes").selectAll().execute());
      api.post("/hold", async (request) => {
        await hold?.(request.db as never as Engine<NotesDB>["db"]);
        entered?.();
        await release;
        return { ok: true };
      });
    }, { logger: { level: "info", stream } });
    return app;
  };
  const rows = () => engine.db.selectFrom("notes").selectAll().execute();

  it("is not registered unless enabled", async () => {
    build(undefined);
    expect((await app!.inject({ method: "POST", url: "/admin/reset-database" })).statusCode).toBe(404);
  });

  it.each([undefined, "production", "Development"])("ENVIRONMENT=%s: 403, nothing touched, logged", async (environment) => {
    if (environment === undefined) delete process.env.ENVIRONMENT;
    else process.env.ENVIRONMENT = environment;
    build(true);
    const response = await app!.inject({ method: "POST", url: "/admin/reset-database" });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: "RESET_REFUSED" });
    expect(await rows()).toHaveLength(1);
    expect(logs.join("")).toContain("database reset refused");
  });

  it("ENVIRONMENT=development: every table of the engine's schema dropped and recreated, 200, logged", async () => {
    process.env.ENVIRONMENT = "development";
    build(true);
    const response = await app!.inject({ method: "POST", url: "/admin/reset-database" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "reset", tables: ["notes"] });
    expect(await rows()).toEqual([]);
    expect(logs.join("")).toContain("database reset: 1 table(s) recreated");
  });

  it("a configurable environment variable and path", async () => {
    process.env.ENVIRONMENT = "development";
    process.env.APP_ENV = "staging";
    build({ environmentVariable: "APP_ENV", path: "/dev/reset" });
    expect((await app!.inject({ method: "POST", url: "/dev/reset" })).statusCode).toBe(403);
    process.env.APP_ENV = "development";
    expect((await app!.inject({ method: "POST", url: "/dev/reset" })).statusCode).toBe(200);
  });

  it("waits for request sessions in flight, answering new ones 503 meanwhile, then resets", async () => {
    process.env.ENVIRONMENT = "development";
    const entered = deferred();
    const release = deferred();
    build(true, (db) => db.insertInto("notes").values({ id: 2, body: "in flight" }).execute(), release.promise, entered.resolve);
    const held = app!.inject({ method: "POST", url: "/hold" });
    await entered.promise;
    const reset = app!.inject({ method: "POST", url: "/admin/reset-database" });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const meanwhile = await app!.inject("/notes");
    expect(meanwhile.statusCode).toBe(503);
    expect(meanwhile.headers["retry-after"]).toBe("1");
    expect(meanwhile.json()).toMatchObject({ code: "RESET_IN_PROGRESS" });
    release.resolve();
    expect((await held).statusCode).toBe(200);
    expect((await reset).statusCode).toBe(200);
    expect(await rows()).toEqual([]);
    expect((await app!.inject("/notes")).statusCode).toBe(200);
  });

  it("gives up with 409 when sessions stay open past drainTimeoutMillis; nothing touched, and requests go on", async () => {
    process.env.ENVIRONMENT = "development";
    const entered = deferred();
    const release = deferred();
    build({ drainTimeoutMillis: 50 }, (db) => db.selectFrom("notes").selectAll().execute(), release.promise, entered.resolve);
    const held = app!.inject({ method: "POST", url: "/hold" });
    await entered.promise;
    const reset = await app!.inject({ method: "POST", url: "/admin/reset-database" });
    expect(reset.statusCode).toBe(409);
    expect(reset.json()).toMatchObject({ code: "RESET_BUSY" });
    expect(logs.join("")).toContain("database reset not run");
    release.resolve();
    expect((await held).statusCode).toBe(200);
    expect(await rows()).toHaveLength(1);
    expect((await app!.inject("/notes")).statusCode).toBe(200);
  });

  it("beforeReset quiesces work outside requests (a scheduler's session) before the reset, afterReset resumes it, after a refusal as busy too; neither runs when the reset is refused", async () => {
    const calls: string[] = [];
    let background: Promise<unknown> | undefined;
    const scheduler = {
      running: true,
      pause: async () => {
        calls.push("before");
        scheduler.running = false;
        await background; // the scheduler's own session ends before the reset begins
      },
      resume: () => {
        calls.push("after");
        scheduler.running = true;
      },
    };
    const hooks = { beforeReset: scheduler.pause, afterReset: scheduler.resume };
    process.env.ENVIRONMENT = "production";
    build(hooks);
    expect((await app!.inject({ method: "POST", url: "/admin/reset-database" })).statusCode).toBe(403);
    expect(calls).toEqual([]);
    await app!.close();

    process.env.ENVIRONMENT = "development";
    build(hooks);
    // A session outside any request (the scheduler's), still writing when the reset arrives.
    background = engine.db.transaction().execute(async (trx) => {
      await trx.insertInto("notes").values({ id: 3, body: "scheduled" }).execute();
      await new Promise((resolve) => setTimeout(resolve, 50));
      calls.push("background done");
    });
    const response = await app!.inject({ method: "POST", url: "/admin/reset-database" });
    expect(response.statusCode).toBe(200);
    expect(calls).toEqual(["before", "background done", "after"]);
    expect(scheduler.running).toBe(true);
    expect(await rows()).toEqual([]); // the scheduler's row was committed before the reset, then dropped with the table
    await app!.close();

    // Refused as busy: what was paused is resumed all the same.
    calls.length = 0;
    background = undefined;
    const entered = deferred();
    const release = deferred();
    build({ ...hooks, drainTimeoutMillis: 50 }, (db) => db.selectFrom("notes").selectAll().execute(), release.promise, entered.resolve);
    const held = app!.inject({ method: "POST", url: "/hold" });
    await entered.promise;
    expect((await app!.inject({ method: "POST", url: "/admin/reset-database" })).statusCode).toBe(409);
    expect(calls).toEqual(["before", "after"]);
    release.resolve();
    expect((await held).statusCode).toBe(200);
  });
});
