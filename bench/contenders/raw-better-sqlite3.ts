import Database from "better-sqlite3";
import { BULK_ROWS, bulkParameters, bulkRows, JOIN_ROWS, joinStart, multiRowInsert, SQL } from "../bench-schema.js";

// Multi-row INSERTs of 500 rows (1,000 parameters), a prepared statement reused per chunk.
const CHUNK = 500;
import type { Contender } from "../contender.js";
import { configureSqlite } from "../sqlite-fixture.js";

/** better-sqlite3 with reused prepared statements, WAL and synchronous=NORMAL: the baseline for SQLite. */
export const rawBetterSqlite3: Contender = {
  name: "raw better-sqlite3",
  dialect: "sqlite",
  baseline: true,
  async open(target) {
    const database = new Database(target.location);
    configureSqlite(database);
    const pointSelect = database.prepare(SQL.sqlite.pointSelect);
    const update = database.prepare(SQL.sqlite.update);
    const insert = database.prepare(SQL.sqlite.insert);
    const join = database.prepare(SQL.sqlite.join);
    // `.immediate` is BEGIN IMMEDIATE, as Athanor's write transactions.
    const write = database.transaction((id: number) => {
      update.run(1, id);
      insert.run(id, 1);
    }).immediate;
    const read = database.transaction((id: number) => pointSelect.get(id));
    const insertChunk = database.prepare(multiRowInsert("sqlite", CHUNK));
    const bulk = database.transaction((id: number) => {
      const rows = bulkRows(id);
      for (let from = 0; from < BULK_ROWS; from += CHUNK) insertChunk.run(bulkParameters(rows, from, from + CHUNK));
    }).immediate;
    return {
      pointSelect: (id) => pointSelect.get(id),
      transactionalSelect: (id) => read(id),
      join: (id) => {
        const from = joinStart(id, target.rows);
        return join.all(from, from + JOIN_ROWS);
      },
      bulkInsert: (id) => bulk(id),
      writeTransaction: (id) => write(id),
      close: async () => {
        database.close();
      },
    };
  },
};
