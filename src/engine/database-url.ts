import { isAbsolute, resolve } from "node:path";
import { inspect } from "node:util";
import { ConfigurationError } from "../errors.js";

/** The database families Athanor speaks to. */
export type DialectName = "postgres" | "sqlite";

/** libpq `sslmode` values accepted in PostgreSQL URLs. */
export type SslMode = "disable" | "prefer" | "require" | "verify-ca" | "verify-full" | "no-verify";

const SSL_MODES: readonly SslMode[] = ["disable", "prefer", "require", "verify-ca", "verify-full", "no-verify"];
const POSTGRES_PARAMS = new Set(["sslmode", "application_name", "host"]);
const MEMORY_FORMS = new Set(["sqlite:", "sqlite::memory:", "sqlite://", "sqlite://:memory:", "sqlite:///:memory:"]);
const passwords = new WeakMap<DatabaseUrl, string>();

/**
 * A parsed, immutable database URL. The password is never part of any rendering:
 * `toString()`, `util.inspect`, `JSON.stringify` and error messages all show `***`.
 *
 * Accepted forms:
 * - `postgres://user:pass@host:5432/db?sslmode=require&application_name=api` (also `postgresql://`;
 *   percent-encode special characters in the user and password; `?host=/var/run/postgresql` for a socket)
 * - `sqlite:<path>`: the path exactly as written; relative paths resolve against the working directory
 *   when the engine is created (`sqlite:data/app.db`, `sqlite:./data/app.db`, `sqlite:/var/lib/app.db`)
 * - `sqlite:///<relative path>` and `sqlite:////<absolute path>`: SQLAlchemy's spelling, accepted as is
 * - `sqlite::memory:`, `sqlite://:memory:` or SQLAlchemy's bare `sqlite://`: an in-memory database
 *
 * @example
 * ```ts
 * const url = parseDatabaseUrl("postgres://app:s%40cret@db:5432/app");
 * url.toString(); // "postgres://app:***@db:5432/app"
 * url.database;   // "app"
 * ```
 */
export class DatabaseUrl {
  /** `postgres` or `sqlite`. */
  readonly dialect: DialectName;
  /** Host name or socket directory (PostgreSQL); `undefined` for SQLite. */
  readonly host: string | undefined;
  /** Port (PostgreSQL, default 5432); `undefined` for SQLite. */
  readonly port: number | undefined;
  /** Database name (PostgreSQL), absolute file path or `:memory:` (SQLite). */
  readonly database: string;
  /** User name (PostgreSQL). */
  readonly username: string | undefined;
  /** True when a password was given (the password itself is never exposed here). */
  readonly hasPassword: boolean;
  /** `sslmode` (PostgreSQL). */
  readonly sslMode: SslMode | undefined;
  /** `application_name` (PostgreSQL). */
  readonly applicationName: string | undefined;
  /** True for an in-memory SQLite database. */
  readonly inMemory: boolean;

  /** @internal use {@link parseDatabaseUrl}. */
  constructor(fields: Omit<DatabaseUrl, "toString" | "toJSON" | "hasPassword" | typeof inspect.custom>, password: string | undefined) {
    this.dialect = fields.dialect;
    this.host = fields.host;
    this.port = fields.port;
    this.database = fields.database;
    this.username = fields.username;
    this.hasPassword = password !== undefined;
    this.sslMode = fields.sslMode;
    this.applicationName = fields.applicationName;
    this.inMemory = fields.inMemory;
    if (password !== undefined) passwords.set(this, password);
    Object.freeze(this);
  }

  /** The URL with the password replaced by `***`. */
  toString(): string {
    if (this.dialect === "sqlite") return this.inMemory ? "sqlite::memory:" : `sqlite:${this.database}`;
    const auth = this.username === undefined ? "" : `${encodeURIComponent(this.username)}${this.hasPassword ? ":***" : ""}@`;
    const host = this.host !== undefined && !this.host.startsWith("/") ? this.host : "";
    const params = new URLSearchParams();
    if (this.host?.startsWith("/")) params.set("host", this.host);
    if (this.sslMode) params.set("sslmode", this.sslMode);
    if (this.applicationName) params.set("application_name", this.applicationName);
    const query = params.size > 0 ? `?${params.toString()}` : "";
    return `postgres://${auth}${host}:${this.port}/${encodeURIComponent(this.database)}${query}`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return `DatabaseUrl <${this.toString()}>`;
  }
}

/** @internal The password of a parsed URL, for the driver only. Never log it. */
export function revealPassword(url: DatabaseUrl): string | undefined {
  return passwords.get(url);
}

/** Replaces the password in a URL-like string by `***`, for error messages about unparsable input. */
export function maskUrlText(text: string): string {
  // Over-masking is safe; under-masking is not: everything between the user name and the
  // last "@" is treated as password, even when the input is malformed.
  const start = text.indexOf("://");
  const at = text.lastIndexOf("@");
  if (start < 0 || at < start) return text;
  const userInfo = text.slice(start + 3, at);
  const colon = userInfo.indexOf(":");
  if (colon < 0) return text;
  return `${text.slice(0, start + 3)}${userInfo.slice(0, colon)}:***${text.slice(at)}`;
}

/** Masks the password of every URL inside free text (error messages, stacks). */
export function scrubUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):[^\s@/]*@/gi, "$1:***@");
}

/**
 * Parses a database URL into an immutable {@link DatabaseUrl}.
 * Throws {@link ConfigurationError} naming what is wrong; the password never appears in the message.
 *
 * @example
 * ```ts
 * parseDatabaseUrl("sqlite:./data/app.db").database; // "/current/dir/data/app.db"
 * parseDatabaseUrl("sqlite::memory:").inMemory;      // true
 * ```
 */
export function parseDatabaseUrl(text: string, cwd: string = process.cwd()): DatabaseUrl {
  if (typeof text !== "string" || text.trim() === "") {
    throw new ConfigurationError("database URL is empty: expected postgres://user:password@host:port/database or sqlite:<path>");
  }
  const trimmed = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === "sqlite") return parseSqlite(trimmed, cwd);
  if (scheme === "postgres" || scheme === "postgresql") return parsePostgres(trimmed);
  const shown = maskUrlText(trimmed);
  if (scheme === undefined) {
    throw new ConfigurationError(`malformed database URL "${shown}": no scheme; expected postgres://… or sqlite:…`);
  }
  throw new ConfigurationError(`unknown database URL scheme "${scheme}:" in "${shown}": supported are postgres://, postgresql:// and sqlite:`);
}

function parseSqlite(text: string, cwd: string): DatabaseUrl {
  if (text.includes("?") || text.includes("#")) {
    throw new ConfigurationError(`SQLite URL "${text}" has a query string or fragment; pass SQLite settings as engine options instead`);
  }
  const memory = { dialect: "sqlite" as const, host: undefined, port: undefined, username: undefined, sslMode: undefined, applicationName: undefined };
  if (MEMORY_FORMS.has(text.toLowerCase())) return new DatabaseUrl({ ...memory, database: ":memory:", inMemory: true }, undefined);
  const rest = text.slice("sqlite:".length);
  let path: string;
  if (rest.startsWith("///")) {
    // SQLAlchemy: sqlite:///relative/path.db and sqlite:////absolute/path.db
    path = decodeURIComponent(rest.slice(3));
  } else if (rest.startsWith("//")) {
    throw new ConfigurationError(
      `SQLite URL "${text}" names a host; write sqlite:<path> (sqlite:data/app.db, sqlite:/abs/app.db) or sqlite:///<relative path>`,
    );
  } else {
    path = rest;
  }
  if (path === "") throw new ConfigurationError(`SQLite URL "${text}" has no file path`);
  const database = isAbsolute(path) ? path : resolve(cwd, path);
  return new DatabaseUrl({ ...memory, database, inMemory: false }, undefined);
}

function parsePostgres(text: string): DatabaseUrl {
  let parsed: URL;
  // libpq allows an empty host (postgres:///db?host=/socket/dir, postgres://user@/db); WHATWG URLs do not.
  const emptyHost = /^[a-z]+:\/\/([^/?#]*@)?(?=[/?#]|$)/i.test(text);
  try {
    parsed = new URL(emptyHost ? text.replace(/^([a-z]+:\/\/(?:[^/?#]*@)?)/i, "$1localhost") : text);
  } catch {
    // The parser's own error would echo the input (and its password), so it is not kept as cause.
    throw new ConfigurationError(`malformed PostgreSQL URL "${maskUrlText(text)}": expected postgres://user:password@host:port/database`);
  }
  const shown = maskUrlText(text);
  for (const key of parsed.searchParams.keys()) {
    if (!POSTGRES_PARAMS.has(key)) {
      const hint = key === "connect_timeout" ? " (connecting is bounded by pool.acquireTimeoutMillis)" : "";
      throw new ConfigurationError(
        `unknown parameter "${key}" in PostgreSQL URL "${shown}": supported are ${[...POSTGRES_PARAMS].join(", ")}${hint}`,
      );
    }
  }
  const sslMode = parsed.searchParams.get("sslmode") ?? undefined;
  if (sslMode !== undefined && !SSL_MODES.includes(sslMode as SslMode)) {
    throw new ConfigurationError(`invalid sslmode "${sslMode}" in PostgreSQL URL "${shown}": expected one of ${SSL_MODES.join(", ")}`);
  }
  let port = 5432;
  if (parsed.port !== "") {
    port = Number(parsed.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigurationError(`invalid port "${parsed.port}" in PostgreSQL URL "${shown}"`);
    }
  }
  const socketHost = parsed.searchParams.get("host") ?? undefined;
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const host = socketHost ?? (hostname === "" ? "localhost" : decodeURIComponent(hostname));
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (database.includes("/")) {
    throw new ConfigurationError(`invalid database name "${database}" in PostgreSQL URL "${shown}"`);
  }
  const username = parsed.username === "" ? undefined : safeDecode(parsed.username, "user name", shown);
  const password = parsed.password === "" ? undefined : safeDecode(parsed.password, "password", shown);
  return new DatabaseUrl(
    {
      dialect: "postgres",
      host,
      port,
      database: database === "" ? (username ?? "postgres") : database,
      username,
      sslMode: sslMode as SslMode | undefined,
      applicationName: parsed.searchParams.get("application_name") ?? undefined,
      inMemory: false,
    },
    password,
  );
}

function safeDecode(value: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ConfigurationError(`the ${what} in PostgreSQL URL "${shown}" has an invalid percent-encoding`);
  }
}
