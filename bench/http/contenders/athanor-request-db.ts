import Fastify from "fastify";
import { createEngine, createSessionFactory } from "../../../src/index.js";
import { athanorPlugin } from "../../../src/integrations/fastify/index.js";
import { selectItem, type BenchDatabase } from "../../bench-schema.js";
import type { BenchDialect } from "../../contender.js";
import { itemId, type HttpContender } from "../http-contender.js";

/** `athanor/fastify`: the route reads through `request.db`, the request's session. With `readOnly`, a read-only route. */
export function athanorRequestDb(dialect: BenchDialect, readOnly = false): HttpContender {
  return {
    name: readOnly ? "athanor request.db, readOnly route" : "athanor request.db",
    dialect,
    async build(target) {
      const engine = createEngine<BenchDatabase>(dialect === "postgres" ? target.location : `sqlite:${target.location}`, { pool: { size: target.poolSize, maxOverflow: 0 } });
      const app = Fastify();
      await app.register(athanorPlugin, { engine: engine as never });
      app.get("/items/:id", { config: { athanor: { readOnly } } }, (request) => selectItem(request.db as never, itemId(request)));
      return {
        app,
        async close() {
          await app.close();
          await engine.dispose();
        },
      };
    },
  };
}

/** `athanor/fastify` on a `transaction: false` route: the point select autocommits on `app.athanor.db` (no session). */
export function athanorAutocommitRoute(dialect: BenchDialect): HttpContender {
  return {
    name: "athanor app.athanor.db, transaction: false",
    dialect,
    async build(target) {
      const engine = createEngine<BenchDatabase>(dialect === "postgres" ? target.location : `sqlite:${target.location}`, { pool: { size: target.poolSize, maxOverflow: 0 } });
      const app = Fastify();
      await app.register(athanorPlugin, { engine: engine as never });
      app.get("/items/:id", { config: { athanor: { transaction: false } } }, (request) => selectItem(request.server.athanor.db as never, itemId(request)));
      return {
        app,
        async close() {
          await app.close();
          await engine.dispose();
        },
      };
    },
  };
}

/** A plain route running the point select in `sessions.run()`: the same transaction as request.db's, without the plugin's request session. */
export function athanorSessionsRunRoute(dialect: BenchDialect): HttpContender {
  return {
    name: "athanor sessions.run() in the route",
    dialect,
    async build(target) {
      const engine = createEngine<BenchDatabase>(dialect === "postgres" ? target.location : `sqlite:${target.location}`, { pool: { size: target.poolSize, maxOverflow: 0 } });
      const sessions = createSessionFactory(engine);
      const app = Fastify();
      app.get("/items/:id", (request) => sessions.run((db) => selectItem(db, itemId(request))));
      return {
        app,
        async close() {
          await app.close();
          await engine.dispose();
        },
      };
    },
  };
}
