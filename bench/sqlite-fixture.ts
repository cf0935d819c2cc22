import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { GROUPS } from "./bench-schema.js";

/** A temporary database file for one bench run, removed afterwards. */
export interface SqliteFixture {
  readonly path: string;
  /** Empties `bench_events` (bulk inserts add 10,000 rows a call), so every measurement starts on the same data. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

/** Settings every SQLite contender applies, so the raw baseline is set up like Athanor's engine. */
export function configureSqlite(database: Database.Database): void {
  database.pragma("journal_mode = wal");
  database.pragma("synchronous = normal");
}

/** Creates the bench tables with `rows` items in a WAL-mode temp file. */
export async function createSqliteFixture(rows: number): Promise<SqliteFixture> {
  const path = join(tmpdir(), `athanor-bench-${randomBytes(5).toString("hex")}.db`);
  const database = new Database(path);
  try {
    configureSqlite(database);
    database.exec("create table bench_groups (id integer primary key, label text not null)");
    database.exec("create table bench_items (id integer primary key, name text not null, counter integer not null, group_id integer not null references bench_groups (id))");
    database.exec("create table bench_events (id integer primary key autoincrement, item_id integer not null, amount integer not null)");
    const insertGroup = database.prepare("insert into bench_groups (id, label) values (?, ?)");
    const insert = database.prepare("insert into bench_items (id, name, counter, group_id) values (?, ?, 0, ?)");
    database.transaction(() => {
      for (let id = 1; id <= GROUPS; id++) insertGroup.run(id, `group ${id}`);
      for (let id = 1; id <= rows; id++) insert.run(id, `item ${id}`, (id % GROUPS) + 1);
    })();
    database.exec("analyze");
  } finally {
    database.close();
  }
  return {
    path,
    reset: async () => {
      const connection = new Database(path);
      try {
        connection.pragma("busy_timeout = 10000");
        connection.exec("delete from bench_events; delete from sqlite_sequence where name = 'bench_events'");
        connection.pragma("wal_checkpoint(truncate)");
      } finally {
        connection.close();
      }
    },
    drop: async () => {
      await Promise.all(["", "-wal", "-shm", "-journal"].map((suffix) => rm(`${path}${suffix}`, { force: true })));
    },
  };
}
