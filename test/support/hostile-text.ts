import fc from "fast-check";

/** Every Unicode line terminator and the control characters next to them. */
export const LINE_BREAKS = ["\n", "\r", "\r\n", "\u000b", "\u000c", "\u0085", "\u2028", "\u2029", "\u0000", "\u001b", "\u007f", "\u009b"] as const;

/** Pieces that end quotes, comments and statements in PostgreSQL, SQLite, psql or sqlite3. */
const SQL_PIECES = ["'", "''", '"', ";", "--", "/*", "*/", "\\", "$$", "$x$", "`", "[", "]", "(", ")", ".", " as ", " desc", " asc", "\\.", "\\!", ".shell", ".read", "%", "@", ":", "?", "#", "/", "&", "="] as const;

/**
 * Text an attacker would try: line terminators, quote and comment syntax, the canary's
 * `drop table`, lone surrogates, and any other code point, in any mix.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(hostileText(), (text) => …));
 * ```
 */
export function hostileText(options: { maxLength?: number; minLength?: number; loneSurrogates?: boolean } = {}): fc.Arbitrary<string> {
  const pieces: Array<fc.WeightedArbitrary<string>> = [
    { arbitrary: fc.constantFrom(...LINE_BREAKS), weight: 3 },
    { arbitrary: fc.constantFrom(...SQL_PIECES), weight: 3 },
    { arbitrary: fc.constantFrom("drop table canary", "drop table canary;", "\ndrop table canary; --", "-- transactional: false", "-- up"), weight: 1 },
    { arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 4 }), weight: 4 },
    { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 2 }), weight: 2 },
  ];
  if (options.loneSurrogates ?? true) pieces.push({ arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)), weight: 1 });
  return fc
    .array(fc.oneof(...pieces), { minLength: options.minLength ?? 0, maxLength: options.maxLength ?? 12 })
    .map((parts) => parts.join(""));
}
