import postgres from "postgres";
import { bulkRows, JOIN_ROWS, joinStart } from "../bench-schema.js";
import type { Contender } from "../contender.js";

/**
 * postgres.js with its defaults (prepared statements, pipelining of queued queries over its
 * connections), `max` connections: the driver issue 14 compares pipelining against.
 */
export const postgresJs: Contender = {
  name: "postgres.js",
  dialect: "postgres",
  async open(target) {
    const sql = postgres(target.location, { max: target.poolSize, onnotice: () => undefined });
    const select = (db: postgres.Sql | postgres.TransactionSql, id: number) => db`select "id", "name", "counter" from "bench_items" where "id" = ${id}`;
    return {
      pointSelect: async (id) => (await select(sql, id))[0],
      writeTransaction: (id) =>
        sql.begin(async (tx) => {
          await tx`update "bench_items" set "counter" = "counter" + ${1} where "id" = ${id}`;
          await tx`insert into "bench_events" ("item_id", "amount") values (${id}, ${1})`;
        }),
      transactionalSelect: (id) => sql.begin(async (tx) => (await select(tx, id))[0]),
      join: (id) => {
        const from = joinStart(id, target.rows);
        return sql`select "i"."id", "i"."name", "i"."counter", "g"."label" from "bench_items" as "i" inner join "bench_groups" as "g" on "g"."id" = "i"."group_id" where "i"."id" >= ${from} and "i"."id" < ${from + JOIN_ROWS}`;
      },
      bulkInsert: (id) => sql.begin((tx) => tx`insert into "bench_events" ${tx(bulkRows(id) as { item_id: number; amount: number }[], "item_id", "amount")}`),
      close: () => sql.end({ timeout: 5 }),
    };
  },
};
