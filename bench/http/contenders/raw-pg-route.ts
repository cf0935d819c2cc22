import Fastify from "fastify";
import { SQL } from "../../bench-schema.js";
import { benchPgPool } from "../../postgres-fixture.js";
import { itemId, type HttpContender } from "../http-contender.js";

/** A hand-written route on a `pg.Pool`: one `pool.query()`, no transaction. The reference. */
export const rawPgRoute: HttpContender = {
  name: "raw pg route",
  dialect: "postgres",
  role: "raw",
  async build(target) {
    const pool = benchPgPool(target.location, target.poolSize);
    const app = Fastify();
    app.get("/items/:id", async (request) => (await pool.query(SQL.postgres.pointSelect, [itemId(request)])).rows[0]);
    return {
      app,
      async close() {
        await app.close();
        await pool.end();
      },
    };
  },
};
