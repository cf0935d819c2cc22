import type { TypeMapping } from "../backends/type-mapping.js";
import type { ColumnDefinition } from "./column.js";
import type { Schema } from "./define-schema.js";
import type { PortableType } from "./portable-type.js";

/** A driver value → the portable JS value. */
export type ValueDecoder = (value: unknown) => unknown;

/** Converts the rows of one statement's result in place; made once per statement text. */
export type RowDecoder = (rows: ReadonlyArray<Record<string, unknown>>) => void;

/**
 * One engine's read path of the value policy: which result columns need converting, decided
 * once per statement from what the driver says about its result (SQLite: each column's table
 * and column of origin, or declared type; PostgreSQL: type OIDs and origins), never by
 * walking the query. So values read through CTEs, subqueries, joins, `returning` and raw
 * `sql` come back alike, and a statement whose columns need nothing costs nothing.
 */
export class ValueDecoders {
  readonly schema: Schema;
  readonly mapping: TypeMapping;
  readonly #columns = new Map<string, ValueDecoder | null>();
  readonly #types = new Map<string, ValueDecoder | null>();

  constructor(schema: Schema, mapping: TypeMapping) {
    this.schema = schema;
    this.mapping = mapping;
  }

  /** The decoder of a schema column; undefined when the table or column is not declared, or its values need nothing. */
  column(table: string, column: string): ValueDecoder | undefined {
    const key = `${table}\u0000${column}`;
    let decoder = this.#columns.get(key);
    if (decoder === undefined) {
      const definition = this.schema.table(table)?.columns.find((candidate) => candidate.name === column)?.definition;
      decoder = definition === undefined ? null : this.#forColumn(definition);
      this.#columns.set(key, decoder);
    }
    return decoder ?? undefined;
  }

  /** True when the schema declares `table.column`. */
  declares(table: string, column: string): boolean {
    return this.schema.table(table)?.columns.some((candidate) => candidate.name === column) === true;
  }

  /** The decoder of a portable type (for columns known only by their declared or wire type). */
  type(type: PortableType): ValueDecoder | undefined {
    const key = JSON.stringify(type);
    let decoder = this.#types.get(key);
    if (decoder === undefined) {
      decoder = this.mapping.decodes(type) ? (value) => (value === null ? null : this.mapping.decode(type, value)) : null;
      this.#types.set(key, decoder);
    }
    return decoder ?? undefined;
  }

  #forColumn(column: ColumnDefinition): ValueDecoder | null {
    const { type, bigintMode } = column;
    const decodes = this.mapping.decodes(type);
    if (type.kind === "bigint" && bigintMode === "number") {
      return (value) => {
        if (value === null) return null;
        const decoded = decodes ? this.mapping.decode(type, value) : value;
        return typeof decoded === "bigint" ? Number(decoded) : decoded;
      };
    }
    return decodes ? (value) => (value === null ? null : this.mapping.decode(type, value)) : null;
  }
}

/**
 * A row decoder for result columns `names`, each converted by its decoder (undefined: left
 * as is); undefined when no column needs anything.
 */
export function rowDecoder(names: readonly string[], decoders: ReadonlyArray<ValueDecoder | undefined>): RowDecoder | undefined {
  // Two result columns of the same name leave one value in the row, the last column's: its decoder decides.
  const byName = new Map<string, ValueDecoder | undefined>();
  names.forEach((name, i) => byName.set(name, decoders[i]));
  const active = [...byName].filter((entry): entry is [string, ValueDecoder] => entry[1] !== undefined);
  if (active.length === 0) return undefined;
  return (rows) => {
    for (const row of rows) {
      for (const [name, decoder] of active) row[name] = decoder(row[name]);
    }
  };
}
