import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { DatabaseError, SerializationFailureError } from "../src/errors.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred } from "./support/engines.js";
import { buildTestApp, createItemsTables, itemIds, itemsDb } from "./support/fastify-app.js";

describeEachDialect("athanor/fastify: retry-safe routes", (dialect) => {
  let engine: Engine;
  let app: FastifyInstance;
  let attempts: number;
  let failures: Error[];
  beforeAll(async () => {
    engine = createEngine(dialect.url());
    await createItemsTables(engine);
    await sql`drop table if exists ledger`.execute(engine.db);
    await sql`create table ledger (id integer primary key, total integer not null)`.execute(engine.db);
  });
  afterAll(() => engine.dispose());
  beforeEach(async () => {
    await sql`delete from items`.execute(engine.db);
    await sql`delete from ledger`.execute(engine.db);
    attempts = 0;
    failures = [];
    app = buildTestApp({ engine }, (api) => {
      // Writes, then fails with whatever `failures` holds next: a serialization failure is the database's way of saying "run me again".
      const flaky = async (request: Parameters<typeof itemsDb>[0]) => {
        attempts++;
        await itemsDb(request).insertInto("items").values({ id: attempts, name: `attempt ${attempts}`, qty: 1 }).execute();
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        return { attempts };
      };
      api.post("/retry", { config: { athanor: { retry: { maxAttempts: 3, baseDelayMillis: 1 } } } }, flaky);
      api.post("/once", flaky);
    });
  });
  afterEach(async () => {
    await app.close();
    expect(engine.pool.status()).toMatchObject({ checkedOut: 0 });
  });

  it("runs the handler again after a serialization failure; only the last attempt's writes are committed", async () => {
    failures = [new SerializationFailureError("could not serialize access")];
    const response = await app.inject({ method: "POST", url: "/retry" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ attempts: 2 });
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(await itemIds(engine)).toEqual([2]);
  });

  it("answers 409 once the attempts are spent, with nothing written", async () => {
    failures = [1, 2, 3].map(() => new SerializationFailureError("could not serialize access"));
    const response = await app.inject({ method: "POST", url: "/retry" });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: "SERIALIZATION_FAILURE" });
    expect(attempts).toBe(3);
    expect(await itemIds(engine)).toEqual([]);
  });

  it("never retries other errors, nor routes that did not declare themselves retry-safe", async () => {
    failures = [new DatabaseError("syntax error", "42601")];
    expect((await app.inject({ method: "POST", url: "/retry" })).statusCode).toBe(500);
    expect(attempts).toBe(1);
    failures = [new SerializationFailureError("could not serialize access")];
    expect((await app.inject({ method: "POST", url: "/once" })).statusCode).toBe(409);
    expect(attempts).toBe(2);
    expect(await itemIds(engine)).toEqual([]);
  });

  // Two SERIALIZABLE transactions at once: a server (PGlite runs one session at a time).
  it.runIf(dialect.isServer)("a real write skew under SERIALIZABLE: the loser is retried (at COMMIT) and both requests succeed, one after the other", async () => {
    const readBoth = deferred();
    const wroteBoth = deferred();
    let reads = 0;
    let writes = 0;
    const failedStatements: string[] = [];
    const onError = ({ error, sql: text }: { error: Error; sql: string | undefined }) => {
      if (error instanceof SerializationFailureError) failedStatements.push(text ?? "");
    };
    engine.on("error", onError);
    const retrying = buildTestApp({ engine }, (api) =>
      api.post("/ledger", { config: { athanor: { isolationLevel: "serializable", retry: { maxAttempts: 5, baseDelayMillis: 1 } } } }, async (request) => {
        const db = itemsDb(request);
        const { rows } = await sql<{ total: number }>`select coalesce(max(total), 0) as total from ledger`.execute(db);
        const attempt = ++reads;
        if (attempt <= 2) {
          // Both first attempts read before either writes: one of them cannot be serialized.
          if (attempt === 2) readBoth.resolve();
          await readBoth.promise;
        }
        const total = Number(rows[0]!.total) + 1;
        await sql`insert into ledger (id, total) values (${attempt}, ${total})`.execute(db);
        if (++writes <= 2) {
          // And both write before either commits: the conflict shows at the second COMMIT.
          if (writes === 2) wroteBoth.resolve();
          await wroteBoth.promise;
        }
        return { total };
      }),
    );
    try {
      const responses = await Promise.all([retrying.inject({ method: "POST", url: "/ledger" }), retrying.inject({ method: "POST", url: "/ledger" })]);
      expect(responses.map((response) => response.statusCode), JSON.stringify({ bodies: responses.map((r) => r.body), failedStatements })).toEqual([200, 200]);
      expect(responses.map((response) => response.json().total).sort()).toEqual([1, 2]);
      // Two first attempts, then the loser again (SSI may refuse a retry too, rarely: each is retried the same way).
      expect(reads).toBeGreaterThanOrEqual(3);
      const totals = await sql<{ total: number }>`select total from ledger order by total`.execute(engine.db);
      expect(totals.rows.map((row) => Number(row.total))).toEqual([1, 2]);
      // The loser's INSERT went through; its COMMIT is what failed, and what was retried.
      expect(failedStatements[0]).toBe("commit");
    } finally {
      engine.off("error", onError);
      await retrying.close();
    }
  });
});
