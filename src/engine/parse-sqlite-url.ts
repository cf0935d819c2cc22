import { isAbsolute, resolve } from "node:path";
import { ConfigurationError } from "../errors.js";
import { maskUrlText } from "./mask-url-text.js";

const MEMORY_FORMS = new Set(["sqlite:", "sqlite::memory:", "sqlite://", "sqlite://:memory:", "sqlite:///:memory:"]);

/** What a SQLite URL says: an absolute file path, or `:memory:`. */
export interface SqliteUrlParts {
  readonly database: string;
  readonly inMemory: boolean;
}

/**
 * Parses `sqlite:<path>` (relative paths resolve against `cwd`), SQLAlchemy's
 * `sqlite:///<relative>` and `sqlite:////<absolute>`, and the in-memory forms. Throws
 * {@link ConfigurationError} naming the problem.
 *
 * @example
 * ```ts
 * parseSqliteUrl("sqlite:data/app.db", "/srv/api"); // { database: "/srv/api/data/app.db", inMemory: false }
 * ```
 */
export function parseSqliteUrl(text: string, cwd: string): SqliteUrlParts {
  const fail = (problem: string): never => {
    throw new ConfigurationError(`SQLite URL "${maskUrlText(text)}" ${problem}`);
  };
  if (text.includes("?") || text.includes("#")) fail("has a query string or fragment; pass SQLite settings as engine options instead");
  if (MEMORY_FORMS.has(text.toLowerCase())) return { database: ":memory:", inMemory: true };
  const rest = text.slice("sqlite:".length);
  let path = rest;
  if (rest.startsWith("///")) {
    // SQLAlchemy: sqlite:///relative/path.db and sqlite:////absolute/path.db
    try {
      path = decodeURIComponent(rest.slice(3));
    } catch {
      fail("has an invalid percent-encoding: % must start an escape such as %20 (write % itself as %25)");
    }
  } else if (rest.startsWith("//")) {
    fail("names a host; write sqlite:<path> (sqlite:data/app.db, sqlite:/abs/app.db) or sqlite:///<relative path>");
  }
  if (path === "") fail("has no file path");
  // The file system takes neither; both would fail only at the first query.
  if (path.includes("\u0000")) fail("has U+0000 in its path");
  if (/\p{Surrogate}/u.test(path)) fail("has a lone surrogate in its path, which is not text");
  return { database: isAbsolute(path) ? path : resolve(cwd, path), inMemory: false };
}
