import Database from "better-sqlite3";
import Fastify from "fastify";
import { SQL } from "../../bench-schema.js";
import { configureSqlite } from "../../sqlite-fixture.js";
import { itemId, type HttpContender } from "../http-contender.js";

/** A hand-written route on better-sqlite3: one prepared statement's `get()`, no transaction. The reference. */
export const rawBetterSqlite3Route: HttpContender = {
  name: "raw better-sqlite3 route",
  dialect: "sqlite",
  role: "raw",
  async build(target) {
    const database = new Database(target.location);
    configureSqlite(database);
    const pointSelect = database.prepare(SQL.sqlite.pointSelect);
    const app = Fastify();
    app.get("/items/:id", async (request) => pointSelect.get(itemId(request)));
    return {
      app,
      async close() {
        await app.close();
        database.close();
      },
    };
  },
};
