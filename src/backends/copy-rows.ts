/**
 * The rows of a `COPY … FROM STDIN`, carried as the one parameter of its statement through
 * Kysely and the session to the connection: `parameters` holds `width` values a row, encoded
 * as for an INSERT's parameters. Only a backend whose capabilities say `copyFrom` is sent one
 * (`session.insertMany()` decides).
 */
export class CopyRows {
  readonly parameters: readonly unknown[];
  readonly width: number;

  constructor(parameters: readonly unknown[], width: number) {
    this.parameters = parameters;
    this.width = width;
  }
}

/** The rows when a statement's `parameters` are those of a `COPY … FROM STDIN` made with {@link CopyRows}. */
export function copyRowsOf(parameters: readonly unknown[]): CopyRows | undefined {
  return parameters.length === 1 && parameters[0] instanceof CopyRows ? parameters[0] : undefined;
}
