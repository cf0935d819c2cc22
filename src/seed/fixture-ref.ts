const REF = Symbol.for("athanor.fixtureRef");

/** A fixture value standing for a column of another fixture row, known only once that row is seeded (see {@link ref}). */
export interface FixtureRef {
  readonly [REF]: true;
  /** The table of the row referred to. */
  readonly table: string;
  /** Its fixture-local name: its key in that table's fixtures object. */
  readonly name: string;
  /** The column whose value is used; when omitted, the column the foreign key points to (else the table's primary key). */
  readonly column: string | undefined;
}

/**
 * Refers to a row of the same fixtures by its fixture-local name, so a child never spells
 * out a generated key: `ref("users", "ada")` is the `id` the database gave the `users`
 * fixture named `ada` (its key in the `users` object), or found it under on a later run.
 * The column is the one the foreign key points to; name it for any other
 * (`ref("users", "ada", "email")`).
 *
 * @example
 * ```ts
 * await seed(engine, schema, {
 *   users: { ada: { email: "ada@example.com", name: "Ada" } },                 // id: defaultRandom()
 *   squads: { core: { userId: ref("users", "ada"), name: "core" } },
 *   squad_members: [{ squadId: ref("squads", "core"), userId: ref("users", "ada"), role: "lead" }],
 * });
 * ```
 */
export function ref(table: string, name: string, column?: string): FixtureRef {
  return Object.freeze({ [REF]: true as const, table, name, column });
}

/**
 * True for a value made by {@link ref} (by any copy of Athanor).
 *
 * @example
 * ```ts
 * isFixtureRef(ref("users", "ada")); // true
 * isFixtureRef("ada");               // false
 * ```
 */
export function isFixtureRef(value: unknown): value is FixtureRef {
  return typeof value === "object" && value !== null && (value as { [REF]?: unknown })[REF] === true;
}
