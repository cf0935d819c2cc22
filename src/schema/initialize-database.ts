import type { Engine } from "../engine/engine.js";
import { ResetRefusedError } from "../errors.js";
import type { Schema } from "./define-schema.js";
import { requireEngineSchema } from "./require-engine-schema.js";
import { createIndexQueries, createTableQuery } from "./schema-ddl.js";

/** What {@link initializeDatabase} did. */
export interface InitializeResult {
  /** Tables created now, in creation order. */
  readonly created: readonly string[];
  /** Tables that already existed (left as they are). */
  readonly existing: readonly string[];
}

/**
 * Creates every table, index and constraint of the schema that does not exist yet, in
 * foreign-key order, in one transaction: the single table-creation point for application
 * start-up and tests. Idempotent. (Changing existing tables is what migrations are for.)
 * The engine must have been created with this schema (`createEngine(url, { schema })`):
 * another engine would read values back unlike the schema's types, so it is refused with a
 * `ConfigurationError`.
 *
 * @example
 * ```ts
 * await initializeDatabase(engine, schema); // { created: ["users", "agents"], existing: [] }
 * ```
 */
export async function initializeDatabase(engine: Engine<any>, schema: Schema): Promise<InitializeResult> {
  requireEngineSchema(engine, schema, "initializeDatabase");
  const order = schema.creationOrder();
  const mapping = engine.backend.typeMapping;
  const vectors = schema.definitions.some((table) => table.columns.some((column) => column.definition.type.kind === "vector"));
  const context = await mapping.prepare(engine.db, { vectors });
  const before = new Set((await engine.db.introspection.getTables()).map((table) => table.name));
  await engine.db.transaction().execute(async (trx) => {
    for (const name of order) {
      const table = schema.table(name)!;
      await createTableQuery(trx, table, mapping, context).execute();
      for (const index of createIndexQueries(trx, table, mapping, context)) await index.execute();
    }
  });
  return { created: order.filter((name) => !before.has(name)), existing: order.filter((name) => before.has(name)) };
}

/**
 * Drops the schema's tables (those that exist) in reverse foreign-key order, in one
 * transaction, and the support functions the schema installed. Returns the dropped tables.
 *
 * @example
 * ```ts
 * afterEach(() => dropAll(engine, schema));
 * ```
 */
export async function dropAll(engine: Engine<any>, schema: Schema): Promise<readonly string[]> {
  const order = [...schema.creationOrder()].reverse();
  const before = new Set((await engine.db.introspection.getTables()).map((table) => table.name));
  await engine.db.transaction().execute(async (trx) => {
    for (const name of order) await trx.schema.dropTable(name).ifExists().execute();
  });
  await engine.backend.typeMapping.dropSupport(engine.db);
  return order.filter((name) => before.has(name));
}

/** Options of {@link resetDatabase}. */
export interface ResetOptions {
  /** The deployment environment (e.g. `process.env.ENVIRONMENT`); reset runs only for `"development"`. */
  readonly environment: string | undefined;
}

/**
 * Drops and recreates every table of the schema — only when `environment` is
 * `"development"`; anywhere else it throws `ResetRefusedError` before touching anything.
 *
 * @example
 * ```ts
 * app.post("/admin/reset-database", async () => resetDatabase(engine, schema, { environment: process.env.ENVIRONMENT }));
 * ```
 */
export async function resetDatabase(engine: Engine<any>, schema: Schema, options: ResetOptions): Promise<InitializeResult> {
  if (options.environment !== "development") throw new ResetRefusedError(options.environment);
  requireEngineSchema(engine, schema, "resetDatabase");
  await dropAll(engine, schema);
  return initializeDatabase(engine, schema);
}
