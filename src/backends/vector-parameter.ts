/**
 * A query vector inside a distance expression (`nearest()`, `vectorDistance()`), bound as
 * each driver needs it: node-postgres calls {@link toPostgres} (a `real[]` literal, which the
 * distance functions take whether the column is pgvector's `vector` or `real[]`), and the
 * SQLite backend binds {@link values} as a float32 BLOB. Serialised any other way it
 * refuses, so it never travels as JSON text.
 */
export class VectorParameter {
  readonly values: readonly number[];
  constructor(values: readonly number[]) {
    this.values = values;
  }
  /** node-postgres: the parameter's text. */
  toPostgres(): string {
    return `{${this.values.join(",")}}`;
  }
  toJSON(): never {
    throw new TypeError("a query vector is bound by the database driver, never serialised as JSON");
  }
}
