import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createEngine, DatabaseError, type Engine, type EngineOptions } from "../src/index.js";
import type { PostgresConnection } from "../src/backends/postgres/postgres-connection.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";

interface PreparedStatement {
  name: string;
  statement: string;
}

describe.skipIf(postgresUnavailable)("PostgreSQL pool: prepared statements", () => {
  const postgres = postgresSuite();
  let engine: Engine;

  /** One connection, so every statement and every look at pg_prepared_statements share a session. */
  function singleConnectionEngine(options: EngineOptions = {}): Engine {
    engine = postgres.engine(postgres.url(), { ...options, pool: { size: 1, maxOverflow: 0 } });
    return engine;
  }

  /** pg_prepared_statements of `connection` (session-local), read through the simple protocol. */
  async function preparedOn(connection: PostgresConnection): Promise<PreparedStatement[]> {
    const result = await connection.client.query<PreparedStatement>("select name, statement from pg_prepared_statements order by prepare_time, name");
    return result.rows;
  }

  /** pg_prepared_statements of the engine's only connection, between checkouts. */
  async function prepared(): Promise<PreparedStatement[]> {
    const connection = (await engine.backend.pool.acquire()) as PostgresConnection;
    try {
      return await preparedOn(connection);
    } finally {
      await engine.backend.pool.release(connection);
    }
  }

  const distinctQuery = (i: number) => sql<{ n: number }>`select ${i}::int as ${sql.ref(`n${i}`)}`;

  it("keeps at most statementCacheSize statements on the server between checkouts", async () => {
    singleConnectionEngine({ statementCacheSize: 2 });
    for (let i = 0; i < 5; i++) {
      expect((await distinctQuery(i).execute(engine.db)).rows).toEqual([{ [`n${i}`]: i }]);
      expect((await prepared()).length).toBeLessThanOrEqual(2);
    }
    const left = await prepared();
    expect(left.map((row) => row.statement)).toEqual([expect.stringContaining('"n3"'), expect.stringContaining('"n4"')]);
    // Cached statements are reused by name: running them again prepares nothing new.
    await distinctQuery(3).execute(engine.db);
    await distinctQuery(4).execute(engine.db);
    expect(await prepared()).toEqual(left);
  });

  it("deallocates statements evicted during a checkout when the connection is returned", async () => {
    singleConnectionEngine({ statementCacheSize: 2 });
    const connection = (await engine.backend.pool.acquire()) as PostgresConnection;
    for (let i = 0; i < 5; i++) await connection.executeQuery(distinctQuery(i).compile(engine.db));
    // Evicted but not yet deallocated: a DEALLOCATE inside a user's transaction could abort it.
    expect(await preparedOn(connection)).toHaveLength(5);
    await engine.backend.pool.release(connection);

    const statements = await prepared();
    expect(statements).toHaveLength(2);
    expect(statements.map((row) => row.statement)).toEqual([expect.stringContaining('"n3"'), expect.stringContaining('"n4"')]);
  });

  it("prepares nothing with prepareStatements false", async () => {
    singleConnectionEngine({ prepareStatements: false });
    for (let i = 0; i < 3; i++) await distinctQuery(i).execute(engine.db);
    await engine.db.selectNoFrom((eb) => eb.val(1).as("one")).execute();
    expect(await prepared()).toEqual([]);
  });

  it("a statement that failed to parse does not poison later runs of the same SQL", async () => {
    singleConnectionEngine();
    const query = () => sql<{ id: number }>`select id from appears_later where id = ${1}`.execute(engine.db);
    await expect(query()).rejects.toMatchObject({ databaseCode: "42P01" });
    await expect(query()).rejects.toMatchObject({ databaseCode: "42P01" });
    expect(await prepared()).toEqual([]);

    await sql`create table appears_later (id int primary key)`.execute(engine.db);
    await sql`insert into appears_later values (1)`.execute(engine.db);
    expect((await query()).rows).toEqual([{ id: 1 }]);
    expect((await query()).rows).toEqual([{ id: 1 }]);
    expect(await prepared()).toHaveLength(1);
  });

  describe("a cached `select *` after ALTER TABLE ADD COLUMN", () => {
    async function cachedSelectStar(table: string) {
      await sql`create table ${sql.table(table)} (id int primary key)`.execute(engine.db);
      await sql`insert into ${sql.table(table)} values (1)`.execute(engine.db);
      const select = () => engine.db.selectFrom(table).selectAll().where("id", "=", 1).execute();
      expect(await select()).toEqual([{ id: 1 }]);
      return select;
    }

    it("is re-prepared transparently in autocommit", async () => {
      singleConnectionEngine();
      const select = await cachedSelectStar("grows_autocommit");
      await sql`alter table grows_autocommit add column extra text not null default 'x'`.execute(engine.db);

      expect(await select()).toEqual([{ id: 1, extra: "x" }]);
      expect(await select()).toEqual([{ id: 1, extra: "x" }]);
    });

    it("is re-prepared after another session altered the table", async () => {
      singleConnectionEngine();
      const select = await cachedSelectStar("grows_elsewhere");
      const other = createEngine(postgres.url());
      try {
        await sql`alter table grows_elsewhere add column extra int`.execute(other.db);
      } finally {
        await other.dispose();
      }
      expect(await select()).toEqual([{ id: 1, extra: null }]);
    });

    it("fails with a typed DatabaseError (0A000) inside a transaction, which must be retried as a whole", async () => {
      singleConnectionEngine();
      const select = await cachedSelectStar("grows_in_transaction");
      await sql`alter table grows_in_transaction add column extra int`.execute(engine.db);

      const error = await engine.db
        .transaction()
        .execute((trx) => trx.selectFrom("grows_in_transaction").selectAll().where("id", "=", 1).execute())
        .then(
          () => undefined,
          (reason: unknown) => reason,
        );
      expect(error).toBeInstanceOf(DatabaseError);
      expect(error).toMatchObject({ databaseCode: "0A000" });
      // Rolled back, and the stale statement was dropped: the next autocommit call works.
      expect(await select()).toEqual([{ id: 1, extra: null }]);
    });
  });
});
