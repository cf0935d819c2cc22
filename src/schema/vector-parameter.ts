/**
 * A query vector inside a distance expression. The engine's schema plugin replaces it with
 * the dialect's parameter form; without the plugin it refuses to be serialised, so a
 * forgotten `schema` option fails loudly instead of sending JSON text.
 */
export class VectorParameter {
  readonly values: readonly number[];
  constructor(values: readonly number[]) {
    this.values = values;
  }
  toJSON(): never {
    throw new TypeError("vector distance queries need an engine created with the `schema` option (createEngine(url, { schema }))");
  }
}
