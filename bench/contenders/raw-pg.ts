import type pg from "pg";
import { BULK_ROWS, bulkParameters, bulkRows, JOIN_ROWS, joinStart, multiRowInsert, SQL } from "../bench-schema.js";
import type { Contender } from "../contender.js";
import { benchPgPool } from "../postgres-fixture.js";

const { pointSelect, update, insert, join } = SQL.postgres;
// 10,000 rows × 2 parameters fit PostgreSQL's 65,535-parameter limit: one statement.
const bulkInsertSql = multiRowInsert("postgres", BULK_ROWS);

/** `pg.Pool` used plainly (unnamed statements): the baseline for PostgreSQL. */
export const rawPg: Contender = {
  name: "raw pg",
  dialect: "postgres",
  baseline: true,
  async open(target) {
    const pool = benchPgPool(target.location, target.poolSize);
    return {
      pointSelect: async (id) => (await pool.query(pointSelect, [id])).rows[0],
      writeTransaction: (id) =>
        inTransaction(pool, async (client) => {
          await client.query(update, [1, id]);
          await client.query(insert, [id, 1]);
        }),
      transactionalSelect: async (id) => {
        let row: unknown;
        await inTransaction(pool, async (client) => {
          row = (await client.query(pointSelect, [id])).rows[0];
        });
        return row;
      },
      join: async (id) => {
        const from = joinStart(id, target.rows);
        return (await pool.query(join, [from, from + JOIN_ROWS])).rows;
      },
      bulkInsert: (id) =>
        inTransaction(pool, async (client) => {
          await client.query(bulkInsertSql, bulkParameters(bulkRows(id), 0, BULK_ROWS));
        }),
      close: () => pool.end(),
    };
  },
};

/** BEGIN … COMMIT by hand on one checked-out client, as a careful pg user writes it. */
export async function inTransaction(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await body(client);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    client.release(error as Error);
    throw error;
  }
  client.release();
}
