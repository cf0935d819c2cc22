import { createEngine } from "../../src/index.js";
import { joinItems, joinStart, selectItem, writeItem, type BenchDatabase } from "../bench-schema.js";
import type { BenchDialect, BenchTarget, Contender, ContenderInstance } from "../contender.js";

/** Athanor's `engine.db` (autocommit) and `engine.db.transaction().execute` on one dialect, without a schema. */
export function athanorEngine(dialect: BenchDialect): Contender {
  return {
    name: "athanor engine",
    dialect,
    async open(target: BenchTarget): Promise<ContenderInstance> {
      const url = dialect === "postgres" ? target.location : `sqlite:${target.location}`;
      // No overflow: every pooled contender gets the same number of connections.
      const engine = createEngine<BenchDatabase>(url, { pool: { size: target.poolSize, maxOverflow: 0 } });
      return {
        pointSelect: (id) => selectItem(engine.db, id),
        writeTransaction: (id) => engine.db.transaction().execute((trx) => writeItem(trx, id)),
        join: (id) => joinItems(engine.db, joinStart(id, target.rows)),
        close: () => engine.dispose(),
      };
    },
  };
}
