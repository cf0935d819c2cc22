import { Kysely, PostgresDialect } from "kysely";
import { bulkRows, joinItems, joinStart, selectItem, writeItem, type BenchDatabase } from "../bench-schema.js";
import type { Contender } from "../contender.js";
import { benchPgPool } from "../postgres-fixture.js";

/** Kysely with its own `PostgresDialect` over a `pg.Pool`. */
export const kyselyPostgres: Contender = {
  name: "kysely",
  dialect: "postgres",
  kysely: true,
  async open(target) {
    const db = new Kysely<BenchDatabase>({
      dialect: new PostgresDialect({ pool: benchPgPool(target.location, target.poolSize) }),
    });
    return {
      pointSelect: (id) => selectItem(db, id),
      writeTransaction: (id) => db.transaction().execute((trx) => writeItem(trx, id)),
      transactionalSelect: (id) => db.transaction().execute((trx) => selectItem(trx, id)),
      join: (id) => joinItems(db, joinStart(id, target.rows)),
      bulkInsert: (id) => db.transaction().execute((trx) => trx.insertInto("bench_events").values(bulkRows(id)).execute()),
      close: () => db.destroy(),
    };
  },
};
