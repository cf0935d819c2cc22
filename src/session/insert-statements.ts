import type { DialectName } from "../engine/database-url.js";
import { quoteIdentifier } from "../backends/quote-identifier.js";
import { parseTableName } from "../backends/table-name.js";

/** Shapes kept: the full chunk of each table a program bulk-inserts into, and a few remainders. */
const CAPACITY = 64;

/**
 * The SQL of multi-row INSERTs, `insert into "t" ("a", "b") values (?, ?), (?, ?), …` (or
 * `$1, $2, …` on PostgreSQL), made once per table, columns and row count and reused: the
 * statement caches of both backends then find the same text, already prepared.
 *
 * @example
 * ```ts
 * const statements = new InsertStatements("sqlite");
 * statements.sql("events", ["item_id", "amount"], 500); // 500 rows of two parameters
 * ```
 */
export class InsertStatements {
  readonly #dialect: DialectName;
  readonly #cache = new Map<string, string>();

  constructor(dialect: DialectName) {
    this.#dialect = dialect;
  }

  sql(table: string, columns: readonly string[], rows: number): string {
    // Names are data and may hold any character, so no separator is safe: JSON keeps them apart.
    const key = JSON.stringify([rows, table, columns]);
    let text = this.#cache.get(key);
    if (text === undefined) {
      text = this.#build(table, columns, rows);
      if (this.#cache.size >= CAPACITY) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, text);
    }
    return text;
  }

  /** `copy "t" ("a", "b") from stdin`: the statement of a COPY with the rows as data (PostgreSQL). */
  copy(table: string, columns: readonly string[]): string {
    return `copy ${target(table)} (${columns.map(quoteIdentifier).join(", ")}) from stdin`;
  }

  #build(table: string, columns: readonly string[], rows: number): string {
    const tuples: string[] = new Array(rows);
    let parameter = 1;
    for (let row = 0; row < rows; row++) {
      const marks: string[] = new Array(columns.length);
      for (let column = 0; column < columns.length; column++) marks[column] = this.#dialect === "postgres" ? `$${parameter++}` : "?";
      tuples[row] = `(${marks.join(", ")})`;
    }
    return `insert into ${target(table)} (${columns.map(quoteIdentifier).join(", ")}) values ${tuples.join(", ")}`;
  }
}

/** The quoted name of `table`, `"schema"."table"` when qualified. */
function target(table: string): string {
  const name = parseTableName(table);
  return name.schema === undefined ? quoteIdentifier(name.table) : `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.table)}`;
}
