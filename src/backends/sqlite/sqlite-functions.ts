import type { SqliteConnectionHandle } from "../../engine/engine-options.js";

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
      compiled = new RegExp(source, "u");
      if (patterns.size >= PATTERN_CACHE_SIZE) patterns.delete(patterns.keys().next().value as string);
      patterns.set(source, compiled);
    }
    return compiled.test(String(value)) ? 1 : 0;
  });
}
