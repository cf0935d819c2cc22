import { isAbsolute, resolve } from "node:path";
import { ConfigurationError } from "../../errors.js";
import { maskUrlText } from "../../engine/mask-url-text.js";

const ANONYMOUS_MEMORY = new Set(["pglite::memory:", "pglite:memory://"]);
const NAMED_MEMORY = /^pglite:memory:\/\/([A-Za-z0-9_.-]{1,100})$/;

/** What a PGlite URL says: a data directory (absolute), or an in-memory database (`memory://`, named or not). */
export interface PgliteUrlParts {
  /** The absolute data directory, `:memory:` for a private in-memory database, or `memory://<name>` for a named one. */
  readonly database: string;
  readonly inMemory: boolean;
}

/**
 * Parses `pglite::memory:` (an in-memory database of the engine's own, like `sqlite::memory:`),
 * `pglite:memory://<name>` (an in-memory database shared by the engines of this process that
 * name it, while one of them is open) and `pglite:<directory>` (a data directory; relative
 * paths resolve against `cwd`). Throws {@link ConfigurationError} naming the problem.
 *
 * @example
 * ```ts
 * parsePgliteUrl("pglite:./data/pg", "/srv/api"); // { database: "/srv/api/data/pg", inMemory: false }
 * parsePgliteUrl("pglite::memory:", "/srv/api");  // { database: ":memory:", inMemory: true }
 * ```
 */
export function parsePgliteUrl(text: string, cwd: string): PgliteUrlParts {
  const fail = (problem: string): never => {
    throw new ConfigurationError(`PGlite URL "${maskUrlText(text)}" ${problem}`);
  };
  if (text.includes("?") || text.includes("#")) fail("has a query string or fragment; pass settings as engine options instead");
  const lower = text.toLowerCase();
  if (ANONYMOUS_MEMORY.has(lower)) return { database: ":memory:", inMemory: true };
  const named = NAMED_MEMORY.exec(text);
  if (named !== null) return { database: `memory://${named[1]}`, inMemory: true };
  const path = text.slice("pglite:".length);
  if (lower.startsWith("pglite:memory:")) fail("names an in-memory database with characters other than letters, digits, '_', '.' and '-': write pglite:memory://<name>");
  if (path.startsWith("//")) fail("names a host; PGlite runs in this process: write pglite:<data directory> or pglite::memory:");
  if (path === "") fail("has no data directory: write pglite:<directory> or pglite::memory:");
  if (path.includes("\u0000")) fail("has U+0000 in its path");
  if (/\p{Surrogate}/u.test(path)) fail("has a lone surrogate in its path, which is not text");
  return { database: isAbsolute(path) ? path : resolve(cwd, path), inMemory: false };
}

/** The URL of parsed parts, as `DatabaseUrl.toString()` shows it. */
export function pgliteUrlText(parts: PgliteUrlParts): string {
  if (parts.database === ":memory:") return "pglite::memory:";
  return `pglite:${parts.database}`;
}
