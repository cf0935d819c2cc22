import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PoolerIncompatibleError, type Engine } from "../src/index.js";
import { suiteDatabase } from "./support/each-dialect.js";
import { engineFactory, rejection } from "./support/engines.js";
import { PgBouncerProcess, pgbouncerUnavailable } from "./support/pgbouncer-process.js";

describe.skipIf(pgbouncerUnavailable)("PgBouncer 1.18 in transaction mode: named statements and pooler: transaction", () => {
  const database = suiteDatabase("postgres");
  const engine = engineFactory();
  let bouncer: PgBouncerProcess;

  beforeAll(async () => {
    bouncer = await PgBouncerProcess.start({ poolSize: 2 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  /**
   * Runs `query` on `engine`'s one connection, then has another client hold the server
   * connection it ran on (PgBouncer hands out the most recently used one first) inside an open
   * transaction, and runs `query` again: its transaction gets the other server connection.
   */
  async function acrossServerConnections(engine: Engine, query: () => Promise<unknown>): Promise<unknown> {
    await query();
    const other = new pg.Client({ connectionString: bouncer.rewrite(database.url(), false) });
    await other.connect();
    try {
      await other.query("begin");
      await other.query("select 1");
      return await query();
    } finally {
      await other.query("rollback").catch(() => undefined);
      await other.end();
    }
  }

  it("a named prepared statement is refused on the next server connection, as PoolerIncompatibleError saying what to set", async () => {
    const db = engine(bouncer.rewrite(database.url(), false), { pool: { size: 1, maxOverflow: 0 } });
    const query = () => sql<{ n: number }>`select ${1}::int as n`.execute(db.db);
    const error = await rejection(acrossServerConnections(db, query));
    expect(error).toBeInstanceOf(PoolerIncompatibleError);
    expect((error as PoolerIncompatibleError).code).toBe("POOLER_INCOMPATIBLE");
    expect(error.message).toMatch(/prepared statement .* does not exist/);
    expect(error.message).toContain('pooler: "transaction"');
    // The statement is forgotten: the next run prepares it again and succeeds here.
    await expect(query()).resolves.toMatchObject({ rows: [{ n: 1 }] });
  });

  it("with ?pooler=transaction the same statements run on any server connection", async () => {
    const db = engine(bouncer.rewrite(database.url()), { pool: { size: 1, maxOverflow: 0 } });
    expect(db.url.pooler).toBe("transaction");
    const query = () => sql<{ n: number }>`select ${1}::int as n`.execute(db.db);
    await expect(acrossServerConnections(db, query)).resolves.toMatchObject({ rows: [{ n: 1 }] });
    const inTransaction = () => db.db.transaction().execute(async (trx) => [await sql`select ${2}::int`.execute(trx), await sql`select ${2}::int`.execute(trx)]);
    await expect(acrossServerConnections(db, inTransaction)).resolves.toHaveLength(2);
  });

  it("docs/pgbouncer.md's program runs through PgBouncer", async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/docs/pgbouncer.ts"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: bouncer.rewrite(database.url()) },
    });
    expect(stderr).toBe("");
    expect(stdout).toBe("POOLER_INCOMPATIBLE\n42\n");
  });
});
