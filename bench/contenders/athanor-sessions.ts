import { createEngine, createSessionFactory } from "../../src/index.js";
import { bulkRows, selectItem, writeItem, type BenchDatabase } from "../bench-schema.js";
import type { BenchDialect, BenchTarget, Contender, ContenderInstance } from "../contender.js";

/**
 * Athanor sessions: `sessions.run(fn)` (lazy BEGIN, commit on return) on one dialect. With
 * `readOnly`, the read scenario runs as `sessions.run(fn, { readOnly: true })`: on SQLite a
 * reader with a plain BEGIN instead of the writer's BEGIN IMMEDIATE.
 */
export function athanorSessions(dialect: BenchDialect, readOnly = false): Contender {
  return {
    name: readOnly ? "athanor read-only sessions" : "athanor sessions",
    dialect,
    async open(target: BenchTarget): Promise<ContenderInstance> {
      const url = dialect === "postgres" ? target.location : `sqlite:${target.location}`;
      const engine = createEngine<BenchDatabase>(url, { pool: { size: target.poolSize, maxOverflow: 0 } });
      const sessions = createSessionFactory(engine);
      if (readOnly) {
        const readers = sessions.withOptions({ readOnly: true });
        return { transactionalSelect: (id) => readers.run((db) => selectItem(db, id)), close: () => engine.dispose() };
      }
      return {
        transactionalSelect: (id) => sessions.run((db) => selectItem(db, id)),
        writeTransaction: (id) => sessions.run((db) => writeItem(db, id)),
        bulkInsert: (id) => sessions.run((db) => db.insertMany("bench_events", bulkRows(id))),
        close: () => engine.dispose(),
      };
    },
  };
}
