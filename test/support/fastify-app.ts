import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { sql, type Generated } from "kysely";
import type { Engine } from "../../src/engine/engine.js";
import type { Session } from "../../src/session/session.js";
import { athanorPlugin, type AthanorPluginOptions } from "../../src/integrations/fastify/index.js";
import type { FastifyRequest } from "fastify";

/** The tables the Fastify tests write to, the same DDL on every dialect. */
export interface ItemsDB {
  items: { id: number; name: string; qty: number };
  /** `item_id` references items, checked at COMMIT (DEFERRABLE INITIALLY DEFERRED). */
  children: { id: Generated<number>; item_id: number };
}

export async function createItemsTables(engine: Engine): Promise<void> {
  await sql`drop table if exists children`.execute(engine.db);
  await sql`drop table if exists items`.execute(engine.db);
  await sql`create table items (id integer primary key, name text not null unique, qty integer not null constraint items_qty_check check (qty >= 0))`.execute(engine.db);
  await sql`create table children (id integer primary key, item_id integer not null constraint children_item_fk references items (id) deferrable initially deferred)`.execute(engine.db);
}

/** The request's session with the tests' tables (the repository's typecheck registers the docs examples' database). */
export function itemsDb(request: FastifyRequest): Session<ItemsDB> {
  return request.db as Session<any>;
}

/**
 * The documented pattern: an app factory that takes the database, so a test passes its own.
 * `routes` is registered after the plugin, as an application's route plugins are.
 */
export function buildTestApp(options: AthanorPluginOptions<any>, routes: (app: FastifyInstance) => void, server: FastifyServerOptions = {}): FastifyInstance {
  const app = Fastify(server);
  app.register(athanorPlugin, options);
  app.register(async (scope) => routes(scope));
  return app;
}

/** Rows of `items`, by id. */
export async function itemIds(engine: Engine): Promise<number[]> {
  const rows = await (engine.db as Engine<ItemsDB>["db"]).selectFrom("items").select("id").orderBy("id").execute();
  return rows.map((row) => row.id);
}
