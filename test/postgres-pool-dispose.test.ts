import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { EngineDisposedError } from "../src/index.js";
import type { DisconnectReason } from "../src/engine/engine-events.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";

describe.skipIf(postgresUnavailable)("PostgreSQL pool: dispose", () => {
  const postgres = postgresSuite();

  it("resolves only once every connection is closed and its disconnect event emitted", async () => {
    const engine = postgres.engine(postgres.url(), { pool: { size: 3 } });
    const disconnects: DisconnectReason[] = [];
    engine.on("disconnect", ({ reason }) => disconnects.push(reason));
    await Promise.all([1, 2, 3].map((n) => sql`select pg_sleep(0.05), ${n}::int`.execute(engine.db)));
    const { created } = engine.pool.status();
    expect(created).toBe(3);

    await engine.dispose();

    expect(disconnects).toEqual(["dispose", "dispose", "dispose"]);
    expect(engine.pool.status()).toMatchObject({ total: 0, idle: 0, destroyed: 3 });
    await expect(sql`select 1`.execute(engine.db)).rejects.toBeInstanceOf(EngineDisposedError);
    await engine.dispose();
  });
});
