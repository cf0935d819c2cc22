import type { PortableType } from "../schema/portable-type.js";
import { dimensionCheckName, enumCheckName } from "../schema/schema-ddl.js";
import { quoteIdentifier } from "./quote-identifier.js";
import { quoteLiteral } from "./quote-literal.js";
import type { DdlContext, TypeMapping } from "./type-mapping.js";

/** The CHECK constraints a column's type carries (enum values, vector dimensions where the storage does not hold them). */
export function columnChecks(table: string, column: { readonly name: string; readonly type: PortableType }, mapping: TypeMapping, context: DdlContext): Array<{ name: string; sql: string }> {
  const type = column.type;
  if (type.kind === "enum") {
    return [{ name: enumCheckName(table, column.name), sql: `${quoteIdentifier(column.name)} in (${type.values.map(quoteLiteral).join(", ")})` }];
  }
  if (type.kind === "vector") {
    const check = mapping.vectorCheck(quoteIdentifier(column.name), type.dimensions, context);
    if (check !== undefined) return [{ name: dimensionCheckName(table, column.name), sql: check }];
  }
  return [];
}

/** Names of every check a column's type may carry, whatever its type now. */
export function typeCheckNames(table: string, column: string): string[] {
  return [enumCheckName(table, column), dimensionCheckName(table, column)];
}
