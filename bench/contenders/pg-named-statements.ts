import { SQL } from "../bench-schema.js";
import type { Contender } from "../contender.js";
import { benchPgPool } from "../postgres-fixture.js";
import { inTransaction } from "./raw-pg.js";

const { pointSelect, update, insert } = SQL.postgres;

/** `pg.Pool` with named (server-side prepared) statements: the limit Athanor's engine approaches. */
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
      close: () => pool.end(),
    };
  },
};
