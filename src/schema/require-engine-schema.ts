import type { Kysely } from "kysely";
import type { Engine } from "../engine/engine.js";
import { ConfigurationError } from "../errors.js";
import type { Schema } from "./define-schema.js";
import { SchemaPlugin } from "./schema-plugin.js";

/**
 * Refuses an engine that does not read and write values the way `schema` declares them: one
 * created without `{ schema }` (booleans read back as 1/0 on SQLite, timestamps as text, JSON
 * as a string) or with a schema whose tables differ. Functions that take an engine and a
 * schema call it first, so the mismatch is loud at start-up instead of hidden until the
 * first read.
 */
export function requireEngineSchema(engine: Engine<any>, schema: Schema, caller: string): void {
  const mismatch = schemaMismatch(engine.options.schema, schema);
  if (mismatch !== undefined) throw new ConfigurationError(`${caller}: ${mismatch}`);
}

/** The same check for a Kysely (an engine's `db`, a session, a transaction) given to a schema helper. */
export function requireSchemaPlugin(db: Kysely<any>, table: string, caller: string): void {
  const plugin = db.getExecutor().plugins.find((candidate): candidate is SchemaPlugin => candidate instanceof SchemaPlugin);
  if (plugin === undefined || plugin.schema.table(table) === undefined) {
    throw new ConfigurationError(
      `${caller}: the database handle does not carry a schema declaring table "${table}": use one made from an engine created with createEngine(url, { schema })`,
    );
  }
}

function schemaMismatch(engineSchema: Schema | undefined, schema: Schema): string | undefined {
  if (engineSchema === schema) return undefined;
  if (engineSchema === undefined) {
    return "the engine was created without { schema }, so it would read values other than the schema's types (on SQLite booleans as 1/0, timestamps as text, JSON as strings): create it with createEngine(url, { schema })";
  }
  for (const table of schema.definitions) {
    const declared = engineSchema.table(table.name);
    if (declared === undefined) return `the engine's schema does not declare table "${table.name}": create the engine with this schema`;
    for (const column of table.columns) {
      const other = declared.columns.find((candidate) => candidate.name === column.name);
      if (other === undefined || JSON.stringify(other.definition.type) !== JSON.stringify(column.definition.type) || other.definition.bigintMode !== column.definition.bigintMode) {
        return `the engine's schema declares "${table.name}"."${column.name}" differently: create the engine with this schema`;
      }
    }
  }
  return undefined;
}
