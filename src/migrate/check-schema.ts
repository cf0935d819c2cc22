import type { Engine } from "../engine/engine.js";
import type { Schema } from "../schema/define-schema.js";
import type { Operation } from "./operations/operation.js";
import { schemaDifference } from "./schema-difference.js";

/** What {@link checkSchema} found. */
export interface SchemaCheck {
  /** True when the database matches the declared schema. */
  readonly inSync: boolean;
  /** The operations a new revision would need (empty when in sync). */
  readonly operations: readonly Operation[];
}

/**
 * Compares the declared schema with the live database (`athanor check`, for CI): empty
 * `operations` means they match. The version table is ignored.
 *
 * @example
 * ```ts
 * const { inSync, operations } = await checkSchema(engine, schema);
 * if (!inSync) throw new Error(`run athanor revision --autogenerate: ${operations.length} difference(s)`);
 * ```
 */
export async function checkSchema(engine: Engine<any>, schema: Schema, options: { readonly versionTable?: string } = {}): Promise<SchemaCheck> {
  const operations = await schemaDifference(engine, schema, options.versionTable);
  return { inSync: operations.length === 0, operations };
}
