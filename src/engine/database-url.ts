import { inspect } from "node:util";
import { parsePostgresUrl, type ChannelBinding, type SslMode, type TargetSessionAttrs } from "../backends/postgres/parse-postgres-url.js";
import { ConfigurationError } from "../errors.js";
import { maskUrlText, scrubUrls } from "./mask-url-text.js";
import { parseSqliteUrl } from "./parse-sqlite-url.js";
import { parsePgliteUrl, pgliteUrlText } from "../backends/pglite/parse-pglite-url.js";

export { maskUrlText, scrubUrls };
export type { ChannelBinding, SslMode, TargetSessionAttrs };

/** The database families Athanor speaks to: the SQL they understand. */
export type DialectName = "postgres" | "sqlite";

/**
 * What Athanor runs a dialect's SQL on: `pg` (a PostgreSQL server), `pglite` (PostgreSQL
 * compiled to WebAssembly, in this process) or `better-sqlite3`.
 */
export type DriverName = "pg" | "pglite" | "better-sqlite3";

/** @internal What {@link DatabaseUrl}'s constructor takes. */
export type DatabaseUrlFields = Omit<DatabaseUrl, "toString" | "toJSON" | "hasPassword" | typeof inspect.custom>;

const passwords = new WeakMap<DatabaseUrl, string>();

/**
 * A parsed, immutable database URL. The password is never part of any rendering:
 * `toString()`, `util.inspect`, `JSON.stringify` and error messages all show `***`.
 *
 * Accepted forms:
 * - `postgres://user:pass@host:5432/db?sslmode=require&application_name=api` (also `postgresql://`;
 *   percent-encode special characters in the user and password; `?host=/var/run/postgresql` for a
 *   socket). Parameters: `sslmode`, `sslrootcert`, `sslcert`, `sslkey`, `channel_binding`,
 *   `target_session_attrs`, `connect_timeout`, `application_name`, `options`, Athanor's `pooler` (`transaction` behind
 *   PgBouncer in transaction mode, see docs/pgbouncer.md) and `pipeline` (connections for pipelined
 *   statements, see docs/pipelining.md), and libpq's `host`,
 *   `port`, `user`, `password`, `dbname`; anything else is refused by name (see docs/engine.md)
 * - `sqlite:<path>`: the path exactly as written; relative paths resolve against the working directory
 *   when the engine is created (`sqlite:data/app.db`, `sqlite:./data/app.db`, `sqlite:/var/lib/app.db`)
 * - `sqlite:///<relative path>` and `sqlite:////<absolute path>`: SQLAlchemy's spelling, accepted as is
 * - `sqlite::memory:`, `sqlite://:memory:` or SQLAlchemy's bare `sqlite://`: an in-memory database
 * - `pglite::memory:`: PostgreSQL (PGlite) in memory, a database of the engine's own;
 *   `pglite:memory://<name>`: in memory, shared by the engines of this process that name it;
 *   `pglite:<directory>`: a PGlite data directory (relative paths resolve against the working directory)
 *
 * @example
 * ```ts
 * const url = parseDatabaseUrl("postgres://app:s%40cret@db:5432/app");
 * url.toString(); // "postgres://app:***@db:5432/app"
 * url.database;   // "app"
 * ```
 */
export class DatabaseUrl {
  /** `postgres` or `sqlite`: the SQL the database speaks (`postgres` for PGlite too). */
  readonly dialect: DialectName;
  /** `pg`, `pglite` or `better-sqlite3`: what runs it, chosen by the URL's scheme. */
  readonly driver: DriverName;
  /** Host name or socket directory (PostgreSQL); `undefined` for SQLite. */
  readonly host: string | undefined;
  /** Port (PostgreSQL, default 5432); `undefined` for SQLite. */
  readonly port: number | undefined;
  /** Database name (PostgreSQL), absolute file path or `:memory:` (SQLite), absolute data directory, `:memory:` or `memory://<name>` (PGlite). */
  readonly database: string;
  /** User name (PostgreSQL). */
  readonly username: string | undefined;
  /** True when a password was given (the password itself is never exposed here). */
  readonly hasPassword: boolean;
  /** `sslmode` (PostgreSQL); `sslrootcert=system` implies `verify-full`. */
  readonly sslMode: SslMode | undefined;
  /** `application_name` (PostgreSQL). */
  readonly applicationName: string | undefined;
  /** `options` (PostgreSQL): command-line options sent at connection start, e.g. `-c search_path=app`. */
  readonly options: string | undefined;
  /** `channel_binding` (PostgreSQL): SCRAM channel binding to the TLS connection. */
  readonly channelBinding: ChannelBinding | undefined;
  /** `target_session_attrs` (PostgreSQL): the server role a new connection must find. */
  readonly targetSessionAttrs: TargetSessionAttrs | undefined;
  /** `connect_timeout` (PostgreSQL) in seconds; 0 = no bound from the URL. */
  readonly connectTimeoutSeconds: number | undefined;
  /** `sslrootcert` (PostgreSQL): CA file path, or `system` for the system's CAs. */
  readonly sslRootCert: string | undefined;
  /** `sslcert` (PostgreSQL): client certificate file path. */
  readonly sslCert: string | undefined;
  /** `sslkey` (PostgreSQL): client key file path. */
  readonly sslKey: string | undefined;
  /** `pooler` (PostgreSQL, Athanor's own parameter): `transaction` behind PgBouncer in transaction mode; overrides the engine option `postgres.pooler`. */
  readonly pooler: "none" | "transaction" | undefined;
  /** `pipeline` (PostgreSQL, Athanor's own parameter): connections for pipelined autocommit statements; overrides the engine option `postgres.pipeline`. */
  readonly pipeline: number | undefined;
  /** True for an in-memory SQLite or PGlite database. */
  readonly inMemory: boolean;

  /** @internal use {@link parseDatabaseUrl}. */
  constructor(fields: DatabaseUrlFields, password: string | undefined) {
    this.dialect = fields.dialect;
    this.driver = fields.driver;
    this.host = fields.host;
    this.port = fields.port;
    this.database = fields.database;
    this.username = fields.username;
    this.hasPassword = password !== undefined;
    this.sslMode = fields.sslMode;
    this.applicationName = fields.applicationName;
    this.options = fields.options;
    this.channelBinding = fields.channelBinding;
    this.targetSessionAttrs = fields.targetSessionAttrs;
    this.connectTimeoutSeconds = fields.connectTimeoutSeconds;
    this.sslRootCert = fields.sslRootCert;
    this.sslCert = fields.sslCert;
    this.sslKey = fields.sslKey;
    this.pooler = fields.pooler;
    this.pipeline = fields.pipeline;
    this.inMemory = fields.inMemory;
    if (password !== undefined) passwords.set(this, password);
    Object.freeze(this);
  }

  /** The URL with the password replaced by `***`. */
  toString(): string {
    if (this.driver === "pglite") return pgliteUrlText(this);
    if (this.dialect === "sqlite") {
      if (this.inMemory) return "sqlite::memory:";
      // A path that sqlite:<path> cannot say as is ("//x", "a?b") takes SQLAlchemy's escaped form.
      return this.database.startsWith("//") || /[?#]/.test(this.database) ? `sqlite:///${this.database.replace(/[%?#]/g, encodeURIComponent)}` : `sqlite:${this.database}`;
    }
    const auth = this.username === undefined ? "" : `${encodeURIComponent(this.username)}${this.hasPassword ? ":***" : ""}@`;
    const socket = this.host?.startsWith("/") === true;
    const host = this.host === undefined || socket ? "" : this.host.includes(":") ? `[${this.host}]` : encodeURIComponent(this.host);
    const params = new URLSearchParams();
    const add = (name: string, value: string | number | undefined) => {
      if (value !== undefined) params.set(name, String(value));
    };
    if (socket) add("host", this.host);
    add("sslmode", this.sslMode);
    add("sslrootcert", this.sslRootCert);
    add("sslcert", this.sslCert);
    add("sslkey", this.sslKey);
    add("channel_binding", this.channelBinding);
    add("target_session_attrs", this.targetSessionAttrs);
    add("connect_timeout", this.connectTimeoutSeconds);
    add("application_name", this.applicationName);
    add("options", this.options);
    add("pooler", this.pooler);
    add("pipeline", this.pipeline);
    const query = params.size > 0 ? `?${params.toString().replaceAll("+", "%20")}` : "";
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

const NONE = {
  host: undefined,
  port: undefined,
  username: undefined,
  sslMode: undefined,
  applicationName: undefined,
  options: undefined,
  channelBinding: undefined,
  targetSessionAttrs: undefined,
  connectTimeoutSeconds: undefined,
  sslRootCert: undefined,
  sslCert: undefined,
  sslKey: undefined,
  pooler: undefined,
  pipeline: undefined,
} as const;

/**
 * Parses a database URL into an immutable {@link DatabaseUrl}. Anything but a well-formed
 * URL — not a string, an unknown scheme, a missing `//`, bad percent-encoding, an unknown
 * parameter — throws {@link ConfigurationError} naming the problem; the password never
 * appears in the message, however malformed the URL (see {@link maskUrlText}).
 *
 * @example
 * ```ts
 * parseDatabaseUrl("sqlite:./data/app.db").database; // "/current/dir/data/app.db"
 * parseDatabaseUrl("sqlite::memory:").inMemory;      // true
 * ```
 */
export function parseDatabaseUrl(text: string, cwd: string = process.cwd()): DatabaseUrl {
  if (typeof text !== "string") {
    throw new ConfigurationError(`the database URL must be a string, got ${text === null ? "null" : Array.isArray(text) ? "an array" : typeof text}: postgres://user:password@host:port/database or sqlite:<path>`);
  }
  const trimmed = text.trim();
  if (trimmed === "") throw new ConfigurationError("database URL is empty: expected postgres://user:password@host:port/database or sqlite:<path>");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === "sqlite") return new DatabaseUrl({ ...NONE, dialect: "sqlite", driver: "better-sqlite3", ...parseSqliteUrl(trimmed, cwd) }, undefined);
  if (scheme === "pglite") return new DatabaseUrl({ ...NONE, dialect: "postgres", driver: "pglite", ...parsePgliteUrl(trimmed, cwd) }, undefined);
  if (scheme === "postgres" || scheme === "postgresql") {
    const { password, ...fields } = parsePostgresUrl(trimmed);
    return new DatabaseUrl({ ...fields, dialect: "postgres", driver: "pg", inMemory: false }, password);
  }
  const shown = maskUrlText(trimmed);
  if (scheme === undefined || /^[a-z]+\/\//i.test(trimmed)) {
    throw new ConfigurationError(`malformed database URL "${shown}": no scheme; expected postgres://…, sqlite:… or pglite:…`);
  }
  throw new ConfigurationError(`unknown database URL scheme "${scheme}:" in "${shown}": supported are postgres://, postgresql://, sqlite: and pglite:`);
}
