import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AthanorError, ConnectionFailedError, ConnectionLostError, createEngine, createSessionFactory } from "../src/index.js";
import type { DisconnectReason } from "../src/engine/engine-events.js";
import { ThrowawayCluster } from "./support/throwaway-cluster.js";

const support = ThrowawayCluster.support();
const required = process.env.CI === "true";
if (!support.available && !required) {
  process.stderr.write(`\n[athanor tests] PostgreSQL restart tests SKIPPED: ${support.reason}. They make a throwaway cluster with pg_createcluster; CI=true requires it.\n\n`);
}

describe.skipIf(!support.available && !required)("PostgreSQL restart (a throwaway cluster of the suite's own)", () => {
  let cluster: ThrowawayCluster | undefined;

  beforeAll(async () => {
    if (!support.available) throw new Error(`CI=true requires the PostgreSQL restart tests, and ${support.reason}`);
    cluster = await ThrowawayCluster.create();
    const setup = createEngine(cluster.url());
    await sql`create table notes (id integer primary key, body text not null)`.execute(setup.db);
    await setup.dispose();
  }, 60_000);
  afterAll(async () => {
    await cluster?.drop();
  }, 30_000);

  it("health goes down and comes back up; the pool replaces its connections; an interrupted transaction fails typed and is not committed", async () => {
    const engine = createEngine<{ notes: { id: number; body: string } }>(cluster!.url(), {
      pool: { size: 2, maxOverflow: 0, prePing: true, acquireTimeoutMillis: 2_000 },
      healthCheckTimeoutMillis: 2_000,
    });
    const disconnects: DisconnectReason[] = [];
    engine.on("disconnect", ({ reason }) => disconnects.push(reason));
    const sessions = createSessionFactory(engine);
    try {
      const warm = await Promise.all([engine.backend.pool.acquire(), engine.backend.pool.acquire()]);
      await Promise.all(warm.map((connection) => engine.backend.pool.release(connection)));
      expect((await engine.healthCheck()).status).toBe("ok");
      const interrupted = sessions.open();
      await interrupted.insertInto("notes").values({ id: 1, body: "in flight during the restart" }).execute();

      await cluster!.stop();
      const down = await engine.healthCheck();
      expect(down.status).toBe("error");
      const refused = await sql`select 1`.execute(engine.db).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ConnectionFailedError);

      await cluster!.start();
      expect((await engine.healthCheck()).status).toBe("ok");
      await expect(interrupted.insertInto("notes").values({ id: 2, body: "after" }).execute()).rejects.toBeInstanceOf(ConnectionLostError);
      await interrupted.close();
      for (let i = 0; i < 4; i++) expect((await sql<{ n: number }>`select ${i}::int as n`.execute(engine.db)).rows).toEqual([{ n: i }]);
      await sessions.run((db) => db.insertInto("notes").values({ id: 3, body: "after the restart" }).execute());
      expect(await engine.db.selectFrom("notes").select("id").orderBy("id").execute()).toEqual([{ id: 3 }]);
      // Both connections of before (one idle, one in the session) were discarded.
      expect(disconnects.filter((reason) => reason === "error" || reason === "pre-ping")).toHaveLength(2);
      expect(engine.pool.status()).toMatchObject({ checkedOut: 0 });
    } catch (error) {
      if (error instanceof AthanorError) error.message += ` (${error.code})`;
      throw error;
    } finally {
      await engine.dispose();
    }
  });
});
