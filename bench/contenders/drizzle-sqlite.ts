import Database from "better-sqlite3";
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { bulkRows, JOIN_ROWS, joinStart } from "../bench-schema.js";
import type { Contender } from "../contender.js";
import { configureSqlite } from "../sqlite-fixture.js";
import { sqliteTables } from "./drizzle-tables.js";

const { items, groups, events } = sqliteTables;

/**
 * Drizzle ORM over one better-sqlite3 connection (WAL), every query `.prepare()`d once with
 * placeholders; transactions are better-sqlite3's synchronous ones (`behavior: "immediate"`
 * for writes, as Athanor's), running the same prepared statements on the one connection.
 */
export const drizzleSqlite: Contender = {
  name: "drizzle .prepare()",
  dialect: "sqlite",
  async open(target) {
    const database = new Database(target.location);
    configureSqlite(database);
    const db = drizzle({ client: database });
    const byId = db
      .select({ id: items.id, name: items.name, counter: items.counter })
      .from(items)
      .where(eq(items.id, sql.placeholder("id")))
      .prepare();
    const bump = db
      .update(items)
      .set({ counter: sql`${items.counter} + 1` })
      .where(eq(items.id, sql.placeholder("id")))
      .prepare();
    const record = db
      .insert(events)
      .values({ item_id: sql.placeholder("id"), amount: 1 })
      .prepare();
    const join = db
      .select({ id: items.id, name: items.name, counter: items.counter, label: groups.label })
      .from(items)
      .innerJoin(groups, eq(groups.id, items.groupId))
      .where(and(gte(items.id, sql.placeholder("from")), lt(items.id, sql.placeholder("to"))))
      .prepare();
    return {
      pointSelect: (id) => byId.get({ id }),
      writeTransaction: (id) =>
        db.transaction(
          () => {
            bump.run({ id });
            record.run({ id });
          },
          { behavior: "immediate" },
        ),
      transactionalSelect: (id) => db.transaction(() => byId.get({ id })),
      join: (id) => {
        const from = joinStart(id, target.rows);
        return join.all({ from, to: from + JOIN_ROWS });
      },
      bulkInsert: (id) => db.insert(events).values(bulkRows(id) as { item_id: number; amount: number }[]).run(),
      close: async () => {
        database.close();
      },
    };
  },
};
