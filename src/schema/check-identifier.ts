import { SchemaDefinitionError } from "../errors.js";

/** What a name names; tables have rules of their own. */
export type IdentifierKind = "table" | "column" | "index" | "constraint";

/** PostgreSQL keeps 63 bytes of a name and silently cuts the rest (NAMEDATALEN - 1). */
const MAX_BYTES = 63;
const UNSTORABLE = /\u0000|\p{Surrogate}/u;

/**
 * Checks a table, column, index or constraint name given to the schema or the `op` API.
 * Names are data: Athanor always quotes them and never reads keywords, spaces or quotes in
 * them, so any text is a name, except what no database keeps verbatim: the empty name, more
 * than 63 UTF-8 bytes (PostgreSQL truncates), U+0000 and lone surrogates. A table name also
 * may not hold `.` or ` as `, which Kysely's query builder reads as `schema.table` and as an
 * alias (`insertInto("a as b")`), so such a table could not be queried. Throws
 * {@link SchemaDefinitionError} naming `where`.
 *
 * @example
 * ```ts
 * checkIdentifier("created at", "column", 'table "events"'); // "created at"
 * checkIdentifier("a.b", "table", "op.createTable");          // throws
 * ```
 */
export function checkIdentifier(name: unknown, kind: IdentifierKind, where: string): string {
  const fail = (problem: string): never => {
    throw new SchemaDefinitionError(`${where}: ${kind} name ${typeof name === "string" ? JSON.stringify(name) : String(name)} ${problem}`);
  };
  if (typeof name !== "string") return fail("must be a string");
  if (name.length === 0) fail("is empty");
  if (UNSTORABLE.test(name)) fail("holds U+0000 or a lone surrogate, which no database keeps in a name");
  if (Buffer.byteLength(name, "utf8") > MAX_BYTES) fail(`is longer than ${MAX_BYTES} bytes in UTF-8 (PostgreSQL would cut it)`);
  if (kind === "table" && name.includes(".")) fail('holds ".", which Kysely reads as schema.table');
  if (kind === "table" && name.includes(" as ")) fail('holds " as ", which Kysely reads as an alias');
  return name;
}
