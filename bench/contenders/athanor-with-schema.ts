import { createEngine, createSessionFactory } from "../../src/index.js";
import { benchSchema, type BenchSchemaDatabase } from "../bench-athanor-schema.js";
import { bulkRows, joinItems, joinStart, selectItem, writeItem, type BenchDatabase } from "../bench-schema.js";
import type { BenchDialect, BenchTarget, Contender, ContenderInstance } from "../contender.js";
import type { Kysely } from "kysely";

/**
 * Athanor as the README tells every user to run it: `createEngine(url, { schema })`, reads on
 * `engine.db`, transactions as sessions (`sessions.run(fn)`), bulk inserts with
 * `session.insertMany()`. The same queries as every other Kysely-based contender.
 * `pipeline`: the same with `postgres: { pipeline }` ("athanor pipelined"), autocommit reads
 * written to that many pipelined connections.
 */
export function athanorWithSchema(dialect: BenchDialect, pipeline = 0): Contender {
  return {
    name: pipeline > 0 ? "athanor pipelined" : "athanor with schema",
    dialect,
    async open(target: BenchTarget): Promise<ContenderInstance> {
      const url = dialect === "postgres" ? target.location : `sqlite:${target.location}`;
      const engine = createEngine<BenchSchemaDatabase>(url, { schema: benchSchema, pool: { size: target.poolSize, maxOverflow: 0 }, postgres: { pipeline } });
      const sessions = createSessionFactory(engine);
      // The schema's table types are Kysely's bench types with the same columns.
      const db = (kysely: Kysely<BenchSchemaDatabase>): Kysely<BenchDatabase> => kysely as unknown as Kysely<BenchDatabase>;
      return {
        pointSelect: (id) => selectItem(db(engine.db), id),
        writeTransaction: (id) => sessions.run((session) => writeItem(db(session), id)),
        transactionalSelect: (id) => sessions.run((session) => selectItem(db(session), id)),
        join: (id) => joinItems(db(engine.db), joinStart(id, target.rows)),
        bulkInsert: (id) => sessions.run((session) => session.insertMany("bench_events", bulkRows(id))),
        close: () => engine.dispose(),
      };
    },
  };
}
