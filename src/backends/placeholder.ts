import { ConfigurationError } from "../errors.js";

/**
 * A named parameter of a prepared query (`prepareQuery`), bound to a value each time the
 * query runs. The schema's encoding of the column it is written to (`insertInto`,
 * `updateTable`) travels with it, so a bound value is stored as the same value built
 * queries store. Sent to a driver unbound, it refuses with a message saying how to run it.
 */
export class Placeholder {
  readonly name: string;
  /** The column's encoding, when the placeholder is a value written to a schema column. */
  readonly encode: ((value: unknown) => unknown) | undefined;

  constructor(name: string, encode?: (value: unknown) => unknown) {
    this.name = name;
    this.encode = encode;
  }

  withEncoder(encode: (value: unknown) => unknown): Placeholder {
    return new Placeholder(this.name, encode);
  }

  /** The unbound placeholder's error (node-postgres and JSON serialisation both end here). */
  unbound(): ConfigurationError {
    return new ConfigurationError(`the query placeholder "${this.name}" was sent unbound: run the query through its prepared query's execute(db, params)`);
  }

  toPostgres(): never {
    throw this.unbound();
  }

  toJSON(): never {
    throw this.unbound();
  }
}
