import type { SqliteConnectionHandle } from "../../engine/engine-options.js";
import { registerSqliteVectorFunctions } from "./sqlite-vector-functions.js";

const PATTERN_CACHE_SIZE = 128;

/**
 * Functions every SQLite connection gets, so portable queries behave as on PostgreSQL:
 * `REGEXP` (SQLite's `x REGEXP p` calls `regexp(p, x)`; JavaScript regular expressions,
 * matching PostgreSQL's `~` for the common syntax).
 */
export function registerSqliteFunctions(connection: SqliteConnectionHandle): void {
  const patterns = new Map<string, RegExp>();
  connection.function("regexp", { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (pattern === null || value === null) return null;
    const source = String(pattern);
    let compiled = patterns.get(source);
    if (compiled === undefined) {
      compiled = compilePattern(source);
      if (patterns.size >= PATTERN_CACHE_SIZE) patterns.delete(patterns.keys().next().value as string);
      patterns.set(source, compiled);
    }
    return compiled.test(String(value)) ? 1 : 0;
  });
  registerSqliteVectorFunctions(connection);
}

/**
 * A PostgreSQL-style pattern as a JavaScript RegExp. PostgreSQL's defaults are kept: `.`
 * matches a newline and `^`/`$` anchor the whole string. A leading embedded-options group
 * is understood as PostgreSQL reads it: `(?i)` case-insensitive (what `~*` compiles to),
 * `(?c)` case-sensitive, `(?n)` newline-sensitive, `(?s)` not.
 */
function compilePattern(source: string): RegExp {
  const options = /^\(\?([a-z]+)\)/.exec(source);
  if (options === null) return new RegExp(source, "su");
  const flags = new Set(["s", "u"]);
  for (const letter of options[1]!) {
    if (letter === "i") flags.add("i");
    else if (letter === "c") flags.delete("i");
    else if (letter === "n" || letter === "m") {
      flags.delete("s");
      flags.add("m");
    } else if (letter === "s") {
      flags.add("s");
      flags.delete("m");
    } else throw new SyntaxError(`invalid regular expression: embedded option "${letter}" is not supported on SQLite`);
  }
  return new RegExp(source.slice(options[0].length), [...flags].join(""));
}
