import type { KyselyPlugin } from "kysely";
import type { ColumnEncoder } from "./insert-many.js";

/** `insertMany`'s encoders for the columns of a table: one per column, or `undefined` when the rows must go through Kysely. */
export type InsertEncoders = (table: string, columns: readonly string[]) => readonly ColumnEncoder[] | undefined;

/** A plugin that encodes inserted values itself (the engine's schema plugin) and can say how, column by column. */
interface EncodingPlugin extends KyselyPlugin {
  insertEncoders(table: string, columns: readonly string[]): readonly ColumnEncoder[] | undefined;
}

const NO_ENCODERS: readonly ColumnEncoder[] = Object.freeze([]);

/**
 * `insertMany`'s encoders: those of the engine's plugins that encode values, or none. A
 * plugin that rewrites queries without saying how to encode plain values would be bypassed
 * by the direct path, so then every insert goes through Kysely.
 */
export function insertEncoders(plugins: readonly KyselyPlugin[]): InsertEncoders {
  if (plugins.length === 0) return () => NO_ENCODERS;
  const encoding = plugins.filter((plugin): plugin is EncodingPlugin => typeof (plugin as Partial<EncodingPlugin>).insertEncoders === "function");
  if (plugins.length > 1 || encoding.length !== 1) return () => undefined;
  const [plugin] = encoding;
  return (table, columns) => plugin!.insertEncoders(table, columns);
}
