import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { bulkRows, joinItems, joinStart, selectItem, writeItem, type BenchDatabase } from "../bench-schema.js";
import type { Contender } from "../contender.js";
import { configureSqlite } from "../sqlite-fixture.js";

/** Kysely with its own `SqliteDialect` (one better-sqlite3 connection, WAL). */
export const kyselySqlite: Contender = {
  name: "kysely",
  dialect: "sqlite",
  kysely: true,
  async open(target) {
    const database = new Database(target.location);
    configureSqlite(database);
    const db = new Kysely<BenchDatabase>({ dialect: new SqliteDialect({ database }) });
    return {
      pointSelect: (id) => selectItem(db, id),
      writeTransaction: (id) => db.transaction().execute((trx) => writeItem(trx, id)),
      transactionalSelect: (id) => db.transaction().execute((trx) => selectItem(trx, id)),
      join: (id) => joinItems(db, joinStart(id, target.rows)),
      // SQLite's 32,766-parameter limit: Kysely users chunk by hand.
      bulkInsert: (id) =>
        db.transaction().execute(async (trx) => {
          const rows = bulkRows(id);
          for (let from = 0; from < rows.length; from += 5_000) await trx.insertInto("bench_events").values(rows.slice(from, from + 5_000)).execute();
        }),
      close: () => db.destroy(),
    };
  },
};
