/** A table name as Kysely reads `insertInto("schema.table")`. */
export interface TableName {
  readonly schema: string | undefined;
  readonly table: string;
}

/**
 * Splits a table name the way Kysely's own parser does: at the first dot, both parts trimmed
 * (a name without a dot is taken as it is). For code that must name the same table Kysely
 * would, without building a query.
 *
 * @example
 * ```ts
 * parseTableName("public.messages"); // { schema: "public", table: "messages" }
 * ```
 */
export function parseTableName(name: string): TableName {
  if (!name.includes(".")) return { schema: undefined, table: name };
  const [schema = "", table = ""] = name.split(".").map((part) => part.trim());
  return { schema, table };
}
