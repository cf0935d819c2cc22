import { BULK_ROWS, bulkRows, JOIN_ROWS, joinStart, SQL } from "../bench-schema.js";
import type { Contender } from "../contender.js";
import { benchPgPool } from "../postgres-fixture.js";
import { inTransaction } from "./raw-pg.js";

const { pointSelect, update, insert, join } = SQL.postgres;
/** Bulk insert as two array parameters: one short statement, prepared once, whatever the row count. */
const unnestInsert = 'insert into "bench_events" ("item_id", "amount") select * from unnest($1::integer[], $2::integer[])';

/**
 * `pg.Pool` with named (server-side prepared) statements: the limit Athanor's engine approaches.
 * Its bulk insert sends two arrays to `unnest()`, the fastest INSERT there is short of COPY.
 */
export const pgNamedStatements: Contender = {
  name: "pg named statements",
  dialect: "postgres",
  async open(target) {
    const pool = benchPgPool(target.location, target.poolSize);
    return {
      pointSelect: async (id) => (await pool.query({ name: "bench_point_select", text: pointSelect, values: [id] })).rows[0],
      writeTransaction: (id) =>
        inTransaction(pool, async (client) => {
          await client.query({ name: "bench_update", text: update, values: [1, id] });
          await client.query({ name: "bench_insert", text: insert, values: [id, 1] });
        }),
      transactionalSelect: async (id) => {
        let row: unknown;
        await inTransaction(pool, async (client) => {
          row = (await client.query({ name: "bench_point_select", text: pointSelect, values: [id] })).rows[0];
        });
        return row;
      },
      join: async (id) => {
        const from = joinStart(id, target.rows);
        return (await pool.query({ name: "bench_join", text: join, values: [from, from + JOIN_ROWS] })).rows;
      },
      bulkInsert: (id) =>
        inTransaction(pool, async (client) => {
          const rows = bulkRows(id);
          const itemIds = new Array<number>(BULK_ROWS);
          const amounts = new Array<number>(BULK_ROWS);
          for (let index = 0; index < BULK_ROWS; index++) {
            itemIds[index] = rows[index]!.item_id;
            amounts[index] = rows[index]!.amount;
          }
          await client.query({ name: "bench_unnest_insert", text: unnestInsert, values: [itemIds, amounts] });
        }),
      close: () => pool.end(),
    };
  },
};
