import { and, eq, gte, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { bulkRows, JOIN_ROWS, joinStart } from "../bench-schema.js";
import type { Contender } from "../contender.js";
import { benchPgPool } from "../postgres-fixture.js";
import { pgTables } from "./drizzle-tables.js";

const { items, groups, events } = pgTables;

/**
 * Drizzle ORM over `pg.Pool`, each query `.prepare()`d once with placeholders (a named
 * statement per connection). A prepared query runs on the pool, not on a transaction's
 * connection, so inside `db.transaction()` Drizzle builds its queries per call, as its users
 * must (`tx.update(…).prepare(name)` still builds every time).
 */
export const drizzlePostgres: Contender = {
  name: "drizzle .prepare()",
  dialect: "postgres",
  async open(target) {
    const pool = benchPgPool(target.location, target.poolSize);
    const db = drizzle({ client: pool });
    const byId = db
      .select({ id: items.id, name: items.name, counter: items.counter })
      .from(items)
      .where(eq(items.id, sql.placeholder("id")))
      .prepare("drizzle_point_select");
    const join = db
      .select({ id: items.id, name: items.name, counter: items.counter, label: groups.label })
      .from(items)
      .innerJoin(groups, eq(groups.id, items.groupId))
      .where(and(gte(items.id, sql.placeholder("from")), lt(items.id, sql.placeholder("to"))))
      .prepare("drizzle_join");
    return {
      pointSelect: async (id) => (await byId.execute({ id }))[0],
      writeTransaction: (id) =>
        db.transaction(async (tx) => {
          await tx
            .update(items)
            .set({ counter: sql`${items.counter} + 1` })
            .where(eq(items.id, id));
          await tx.insert(events).values({ item_id: id, amount: 1 });
        }),
      transactionalSelect: (id) =>
        db.transaction(async (tx) => (await tx.select({ id: items.id, name: items.name, counter: items.counter }).from(items).where(eq(items.id, id)))[0]),
      join: (id) => {
        const from = joinStart(id, target.rows);
        return join.execute({ from, to: from + JOIN_ROWS });
      },
      bulkInsert: (id) => db.transaction(async (tx) => void (await tx.insert(events).values(bulkRows(id) as { item_id: number; amount: number }[]))),
      close: () => pool.end(),
    };
  },
};
