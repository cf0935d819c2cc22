import type { Kysely } from "kysely";
import { createEngine, createSessionFactory, prepareQuery } from "../../src/index.js";
import { benchSchema, type BenchSchemaDatabase } from "../bench-athanor-schema.js";
import { JOIN_ROWS, joinStart } from "../bench-schema.js";
import type { BenchDialect, BenchTarget, Contender, ContenderInstance } from "../contender.js";

/**
 * Athanor with `{ schema }` and the same queries compiled once (`prepareQuery`, issue 14 item
 * 2): point selects and the join on `engine.db`, transactions as sessions, each statement
 * built and compiled before the clock starts and only bound with new values per call.
 */
export function athanorCompiled(dialect: BenchDialect): Contender {
  return {
    name: "athanor compiled",
    dialect,
    async open(target: BenchTarget): Promise<ContenderInstance> {
      const url = dialect === "postgres" ? target.location : `sqlite:${target.location}`;
      const engine = createEngine<BenchSchemaDatabase>(url, { schema: benchSchema, pool: { size: target.poolSize, maxOverflow: 0 } });
      const sessions = createSessionFactory(engine);
      const byId = prepareQuery(engine.db, (db, $: { id: number }) =>
        db.selectFrom("bench_items").select(["id", "name", "counter"]).where("id", "=", $.id),
      );
      const bump = prepareQuery(engine.db, (db, $: { id: number }) =>
        db.updateTable("bench_items").set((eb) => ({ counter: eb("counter", "+", 1) })).where("id", "=", $.id),
      );
      const record = prepareQuery(engine.db, (db, $: { id: number }) => db.insertInto("bench_events").values({ item_id: $.id, amount: 1 }));
      const join = prepareQuery(engine.db, (db, $: { from: number; to: number }) =>
        db
          .selectFrom("bench_items as i")
          .innerJoin("bench_groups as g", "g.id", "i.group_id")
          .select(["i.id", "i.name", "i.counter", "g.label"])
          .where("i.id", ">=", $.from)
          .where("i.id", "<", $.to),
      );
      const write = async (db: Kysely<BenchSchemaDatabase>, id: number): Promise<void> => {
        await bump.execute(db, { id });
        await record.execute(db, { id });
      };
      return {
        pointSelect: (id) => byId.executeTakeFirst(engine.db, { id }),
        writeTransaction: (id) => sessions.run((db) => write(db, id)),
        transactionalSelect: (id) => sessions.run((db) => byId.executeTakeFirst(db, { id })),
        join: (id) => {
          const from = joinStart(id, target.rows);
          return join.execute(engine.db, { from, to: from + JOIN_ROWS });
        },
        close: () => engine.dispose(),
      };
    },
  };
}
