import { readFileSync } from "node:fs";
import Fastify, { type FastifyInstance } from "fastify";
import { NoResultError, sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import {
  CheckViolationError,
  CommitOutcomeUnknownError,
  ConnectionFailedError,
  ConnectionLostError,
  DatabaseError,
  DeadlockError,
  EngineDisposedError,
  ForeignKeyViolationError,
  LockTimeoutError,
  InvalidCursorError, InvalidReplicaPositionError,
  NotNullViolationError,
  PoolTimeoutError,
  QueryCanceledError,
  ReadOnlyViolationError,
  ResetBusyError,
  ResetInProgressError,
  ResetRefusedError,
  SerializationFailureError,
  UniqueViolationError,
} from "../src/errors.js";
import { athanorPlugin, HTTP_ERROR_TABLE, httpErrorOf } from "../src/integrations/fastify/index.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred } from "./support/engines.js";
import { buildTestApp, createItemsTables, itemsDb } from "./support/fastify-app.js";

const POOL = { size: 1, total: 1, checkedOut: 1, idle: 0, overflow: 0, waiting: 1, created: 1, destroyed: 0, timeouts: 1 };

/** One error of every row of the table, as the database layer throws them. */
const SAMPLES: Record<string, Error> = {
  NO_RESULT: new NoResultError({ kind: "SelectQueryNode" } as never),
  UNIQUE_VIOLATION: new UniqueViolationError("duplicate key value violates unique constraint", { constraint: "users_email_key", detail: "Key (email)=(ada@example.com) already exists." }),
  FOREIGN_KEY_VIOLATION: new ForeignKeyViolationError("violates foreign key constraint", { constraint: "agents_owner_fk" }),
  INVALID_CURSOR: new InvalidCursorError("paginateByKey(): the cursor is not one that this query's pagination returned"),
  INVALID_REPLICA_POSITION: new InvalidReplicaPositionError("readYourWrites: { after } must be a position token from engine.replicas.position()"),
  NOT_NULL_VIOLATION: new NotNullViolationError("null value in column", { column: "name" }),
  CHECK_VIOLATION: new CheckViolationError("violates check constraint", { constraint: "items_qty_check" }),
  SERIALIZATION_FAILURE: new SerializationFailureError("could not serialize access"),
  DEADLOCK: new DeadlockError("deadlock detected"),
  POOL_TIMEOUT: new PoolTimeoutError("no connection within 100 ms", POOL),
  CONNECTION_LOST: new ConnectionLostError("terminating connection due to administrator command"),
  CONNECTION_FAILED: new ConnectionFailedError("connect ECONNREFUSED 127.0.0.1:1"),
  LOCK_TIMEOUT: new LockTimeoutError("canceling statement due to lock timeout"),
  QUERY_CANCELED: new QueryCanceledError("canceling statement due to statement timeout"),
  ENGINE_DISPOSED: new EngineDisposedError(),
  RESET_IN_PROGRESS: new ResetInProgressError(),
  COMMIT_OUTCOME_UNKNOWN: new CommitOutcomeUnknownError("the connection was lost while COMMIT was in flight"),
  READ_ONLY_VIOLATION: new ReadOnlyViolationError("cannot execute INSERT in a read-only transaction"),
  RESET_REFUSED: new ResetRefusedError("production"),
  RESET_BUSY: new ResetBusyError("1 request session(s) still open"),
  "*": new DatabaseError('syntax error at or near "selec"', "42601"),
};

/** The rows of docs/fastify.md's errors → HTTP table: `| \`CODE\` | status | Retry-After | message |`. */
function documentedTable(): Record<string, { statusCode: number; retryAfter: boolean; message: string }> {
  const docs = readFileSync(new URL("../docs/fastify.md", import.meta.url), "utf8");
  const rows: Record<string, { statusCode: number; retryAfter: boolean; message: string }> = {};
  for (const line of docs.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const code = /^`([A-Z_]+|\*)`$/.exec(cells[1] ?? "")?.[1];
    if (code === undefined || !/^\d{3}$/.test(cells[2] ?? "")) continue;
    rows[code] = { statusCode: Number(cells[2]), retryAfter: cells[3] === "yes", message: cells[4]! };
  }
  return rows;
}

describe("athanor/fastify: errors → HTTP", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    await app.register(athanorPlugin, { url: "sqlite::memory:" });
    app.get("/throw/:code", async (request) => {
      throw SAMPLES[(request.params as { code: string }).code]!;
    });
    app.get("/teapot", async () => {
      throw Object.assign(new Error("I'm a teapot"), { statusCode: 418 });
    });
  });
  afterAll(() => app.close());

  it("has a sample error for every row of the table (a new row needs one)", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(HTTP_ERROR_TABLE).sort());
  });

  it.each(Object.keys(HTTP_ERROR_TABLE))("%s is answered from the table, in Fastify's error shape", async (code) => {
    const rule = HTTP_ERROR_TABLE[code]!;
    const response = await app.inject(`/throw/${encodeURIComponent(code)}`);
    expect(response.statusCode).toBe(rule.statusCode);
    const body = response.json();
    expect(body).toMatchObject({ statusCode: rule.statusCode, code: code === "*" ? "DATABASE_ERROR" : code, message: rule.message });
    expect(typeof body.error).toBe("string");
    expect(response.headers["retry-after"]).toBe(rule.retryAfter === true ? "1" : undefined);
    // The constraint's name, when the error has one; never the database's message or detail.
    const constraint = (SAMPLES[code] as { constraint?: string }).constraint;
    expect(body.constraint).toBe(constraint);
    expect(response.body).not.toContain(SAMPLES[code]!.message);
    expect(response.body).not.toContain("ada@example.com");
  });

  it("passes errors that are not the database's to the next error handler", async () => {
    const response = await app.inject("/teapot");
    expect(response.statusCode).toBe(418);
    expect(response.json()).toMatchObject({ message: "I'm a teapot" });
  });

  it("matches the table in docs/fastify.md", () => {
    const expected = Object.fromEntries(
      Object.entries(HTTP_ERROR_TABLE).map(([code, rule]) => [code, { statusCode: rule.statusCode, retryAfter: rule.retryAfter === true, message: rule.message }]),
    );
    expect(documentedTable()).toEqual(expected);
  });

  it("statusCodes overrides a row in one line (seed 002 answers duplicates with 400); unknown codes are refused by name", async () => {
    const seed002 = Fastify();
    await seed002.register(athanorPlugin, { url: "sqlite::memory:", errors: { statusCodes: { UNIQUE_VIOLATION: 400 }, retryAfterSeconds: 5 } });
    seed002.get("/duplicate", async () => {
      throw SAMPLES.UNIQUE_VIOLATION!;
    });
    seed002.get("/busy", async () => {
      throw SAMPLES.POOL_TIMEOUT!;
    });
    expect((await seed002.inject("/duplicate")).json()).toMatchObject({ statusCode: 400, code: "UNIQUE_VIOLATION", error: "Bad Request" });
    expect((await seed002.inject("/busy")).headers["retry-after"]).toBe("5");
    await seed002.close();

    const typo = Fastify();
    typo.register(athanorPlugin, { url: "sqlite::memory:", errors: { statusCodes: { UNIQUE_VIOLATON: 400 } } });
    await expect(typo.ready()).rejects.toThrow(/unknown error code "UNIQUE_VIOLATON"/);
  });

  it("errors: false installs no handler; httpErrorOf serves a handler of one's own, which can hand other errors on", async () => {
    const own = Fastify();
    await own.register(athanorPlugin, { url: "sqlite::memory:", errors: false });
    own.setErrorHandler((error, request, reply) => {
      const answer = httpErrorOf(error);
      if (answer === undefined) throw error;
      return reply.code(answer.statusCode).headers(answer.headers).send({ ...answer.body, requestId: request.id });
    });
    own.get("/missing", async () => {
      throw SAMPLES.NO_RESULT!;
    });
    expect((await own.inject("/missing")).json()).toMatchObject({ statusCode: 404, code: "NO_RESULT", requestId: expect.any(String) });
    await own.close();
  });

  it("an error handler of the application's, in its own scope, can hand database errors to the plugin's by throwing them", async () => {
    const layered = Fastify();
    await layered.register(athanorPlugin, { url: "sqlite::memory:" });
    await layered.register(async (scope) => {
      scope.setErrorHandler((error) => {
        if ((error as { statusCode?: number }).statusCode === 401) return { login: true };
        throw error;
      });
      scope.get("/conflict", async () => {
        throw SAMPLES.DEADLOCK!;
      });
    });
    expect((await layered.inject("/conflict")).json()).toMatchObject({ statusCode: 409, code: "DEADLOCK" });
    await layered.close();
  });
});

describeEachDialect("athanor/fastify: database errors on a real database", (dialect) => {
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    engine = createEngine(dialect.url());
    await createItemsTables(engine);
    await sql`drop table if exists notes`.execute(engine.db);
    await sql`create table notes (id integer primary key, item_id integer not null constraint notes_item_fk references items (id))`.execute(engine.db);
  });
  afterAll(() => engine.dispose());
  beforeEach(async () => {
    await sql`delete from notes`.execute(engine.db);
    await sql`delete from items`.execute(engine.db);
    await sql`insert into items (id, name, qty) values (1, 'one', 1)`.execute(engine.db);
    app = buildTestApp({ engine }, (api) => {
      api.post("/items", async (request) => {
        await itemsDb(request).insertInto("items").values(request.body as never).execute();
        return { ok: true };
      });
      api.post("/notes", async (request) => {
        await sql`insert into notes (id, item_id) values (1, 999)`.execute(itemsDb(request));
        return { ok: true };
      });
      api.get("/items/:id", (request) => itemsDb(request).selectFrom("items").selectAll().where("id", "=", Number((request.params as { id: string }).id)).executeTakeFirstOrThrow());
    });
  });
  afterEach(async () => {
    await app.close();
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0 });
  });

  it.each([
    ["a duplicate → 409 UNIQUE_VIOLATION", { id: 2, name: "one", qty: 1 }, 409, "UNIQUE_VIOLATION"],
    ["a missing required value → 400 NOT_NULL_VIOLATION", { id: 2, name: null, qty: 1 }, 400, "NOT_NULL_VIOLATION"],
    ["a value a check refuses → 400 CHECK_VIOLATION", { id: 2, name: "two", qty: -1 }, 400, "CHECK_VIOLATION"],
  ] as const)("%s", async (_, row, statusCode, code) => {
    const response = await app.inject({ method: "POST", url: "/items", payload: row });
    expect(response.statusCode).toBe(statusCode);
    expect(response.json()).toMatchObject({ statusCode, code });
    if (dialect.isPostgres && code !== "NOT_NULL_VIOLATION") expect(response.json().constraint).toMatch(/^items_/);
  });

  it("a missing parent → 409 FOREIGN_KEY_VIOLATION", async () => {
    const response = await app.inject({ method: "POST", url: "/notes" });
    expect(response.json()).toMatchObject({ statusCode: 409, code: "FOREIGN_KEY_VIOLATION" });
  });

  it("executeTakeFirstOrThrow() with no row → 404 NO_RESULT", async () => {
    expect((await app.inject("/items/1")).statusCode).toBe(200);
    expect((await app.inject("/items/2")).json()).toEqual({ statusCode: 404, code: "NO_RESULT", error: "Not Found", message: "not found" });
  });

  it("no connection within acquireTimeoutMillis → 503 POOL_TIMEOUT with Retry-After", async () => {
    const small = createEngine(dialect.url(), { pool: { size: 1, maxOverflow: 0, acquireTimeoutMillis: 100 } });
    if (dialect.name === "sqlite-memory") {
      // An in-memory database of its own.
      await createItemsTables(small);
      await sql`insert into items (id, name, qty) values (1, 'one', 1)`.execute(small.db);
    }
    const release = deferred();
    const holding = deferred();
    const busy = buildTestApp({ engine: small }, (api) => {
      api.post("/hold", async (request) => {
        await sql`update items set qty = qty + 1 where id = 1`.execute(itemsDb(request));
        holding.resolve();
        await release.promise;
        return { ok: true };
      });
      api.post("/write", async (request) => {
        await sql`update items set qty = qty + 1 where id = 1`.execute(itemsDb(request));
        return { ok: true };
      });
    });
    try {
      const held = busy.inject({ method: "POST", url: "/hold" });
      await holding.promise;
      const response = await busy.inject({ method: "POST", url: "/write" });
      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("1");
      expect(response.json()).toMatchObject({ code: "POOL_TIMEOUT" });
      release.resolve();
      expect((await held).statusCode).toBe(200);
    } finally {
      await busy.close();
      await small.dispose();
    }
  });
});
