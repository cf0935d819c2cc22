import Database from "better-sqlite3";
import Fastify, { type FastifyInstance } from "fastify";
import { Kysely, PostgresDialect, SqliteDialect, type ControlledTransaction } from "kysely";
import { selectItem, type BenchDatabase } from "../../bench-schema.js";
import { benchPgPool } from "../../postgres-fixture.js";
import { configureSqlite } from "../../sqlite-fixture.js";
import type { BenchDialect } from "../../contender.js";
import { itemId, type HttpContender } from "../http-contender.js";

const TRANSACTION = Symbol("transaction");
type WithTransaction = { [TRANSACTION]: ControlledTransaction<BenchDatabase> | null };

/**
 * The transaction plugin teams write by hand (the usual copy): BEGIN in a preHandler hook for
 * every request, COMMIT (or ROLLBACK from 400 on) in an onSend hook, ROLLBACK in onError.
 */
export function usualTransactionPlugin(app: FastifyInstance, db: Kysely<BenchDatabase>): void {
  app.decorateRequest(TRANSACTION, null);
  app.addHook("preHandler", async (request) => {
    (request as unknown as WithTransaction)[TRANSACTION] = await db.startTransaction().execute();
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const trx = (request as unknown as WithTransaction)[TRANSACTION];
    (request as unknown as WithTransaction)[TRANSACTION] = null;
    if (trx !== null) await (reply.statusCode < 400 ? trx.commit() : trx.rollback()).execute();
    return payload;
  });
  app.addHook("onError", async (request) => {
    const trx = (request as unknown as WithTransaction)[TRANSACTION];
    (request as unknown as WithTransaction)[TRANSACTION] = null;
    if (trx !== null) await trx.rollback().execute();
  });
}

/** Bare Kysely behind the hand-written "BEGIN in preHandler / COMMIT in onSend" plugin. */
export function kyselyTransactionPlugin(dialect: BenchDialect): HttpContender {
  return {
    name: "kysely hand-written plugin",
    dialect,
    role: "plugin",
    async build(target) {
      const db = new Kysely<BenchDatabase>({
        dialect:
          dialect === "postgres"
            ? new PostgresDialect({ pool: benchPgPool(target.location, target.poolSize) })
            : new SqliteDialect({ database: sqliteDatabase(target.location) }),
      });
      const app = Fastify();
      usualTransactionPlugin(app, db);
      app.get("/items/:id", (request) => selectItem((request as unknown as WithTransaction)[TRANSACTION]!, itemId(request)));
      return {
        app,
        async close() {
          await app.close();
          await db.destroy();
        },
      };
    },
  };
}

function sqliteDatabase(path: string): Database.Database {
  const database = new Database(path);
  configureSqlite(database);
  return database;
}
