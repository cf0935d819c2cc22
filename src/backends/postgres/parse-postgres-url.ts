import { maskUrlText } from "../../engine/mask-url-text.js";
import { ConfigurationError } from "../../errors.js";
import { loadDriverDependency } from "../load-driver.js";

/** libpq `sslmode` values accepted in PostgreSQL URLs (`no-verify` is node-postgres's: TLS, certificate not checked). */
export type SslMode = "disable" | "prefer" | "require" | "verify-ca" | "verify-full" | "no-verify";
/** libpq `channel_binding` values. */
export type ChannelBinding = "disable" | "prefer" | "require";
/** libpq `target_session_attrs` values. */
export type TargetSessionAttrs = "any" | "read-write" | "read-only" | "primary" | "standby" | "prefer-standby";

/** What a PostgreSQL URL says, decoded and checked. */
export interface PostgresUrlParts {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly sslMode: SslMode | undefined;
  readonly applicationName: string | undefined;
  readonly options: string | undefined;
  readonly channelBinding: ChannelBinding | undefined;
  readonly targetSessionAttrs: TargetSessionAttrs | undefined;
  readonly connectTimeoutSeconds: number | undefined;
  readonly sslRootCert: string | undefined;
  readonly sslCert: string | undefined;
  readonly sslKey: string | undefined;
  readonly pooler: "none" | "transaction" | undefined;
  readonly pipeline: number | undefined;
}

const SSL_MODES: readonly SslMode[] = ["disable", "prefer", "require", "verify-ca", "verify-full", "no-verify"];
const TLS_MODES: readonly SslMode[] = ["require", "verify-ca", "verify-full", "no-verify"];
const CHANNEL_BINDINGS: readonly ChannelBinding[] = ["disable", "prefer", "require"];
const SESSION_ATTRS: readonly TargetSessionAttrs[] = ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"];
const PARAMETERS = [
  "host", "port", "dbname", "user", "password", "sslmode", "application_name", "options",
  "channel_binding", "target_session_attrs", "connect_timeout", "sslrootcert", "sslcert", "sslkey",
  "pooler", "pipeline",
] as const;
const POOLERS = ["none", "transaction"] as const;
const HINTS: Readonly<Record<string, string>> = {
  pgbouncer: " (a Prisma setting: behind PgBouncer in transaction mode write pooler=transaction)",
  ssl: " (use sslmode=require, verify-ca or verify-full)",
  schema: " (set search_path with options=-c%20search_path%3D<schema>)",
};
const PERCENT = /%(?![0-9a-f]{2})/i;
const CONTROL = /[\u0000-\u001f\u007f]/;

type ParseConnectionString = (text: string) => Record<string, string | null | undefined>;

/**
 * Parses a `postgres://` / `postgresql://` URL with node-postgres's own parser
 * (`pg-connection-string`, loaded from the installed `pg`), so a URL means to Athanor what it
 * means to `pg`. Around it, what that parser lets through silently is refused: a missing
 * `//`, a fragment, several hosts, invalid percent-encoding, unknown or repeated parameters,
 * and values libpq would refuse; its side effects (reading certificate files, process
 * warnings about `sslmode`) are avoided by giving it the URL without the query string.
 * Every error is a {@link ConfigurationError} that shows the URL with its password masked.
 *
 * @example
 * ```ts
 * parsePostgresUrl("postgres://app:s%40cret@db:5432/app?sslmode=require&channel_binding=require").password; // "s@cret"
 * ```
 */
export function parsePostgresUrl(text: string): PostgresUrlParts {
  const shown = maskUrlText(text);
  const fail = (problem: string): never => {
    throw new ConfigurationError(`PostgreSQL URL "${shown}": ${problem}`);
  };
  if (!/^postgres(?:ql)?:\/\//i.test(text)) fail('the "//" after the scheme is missing: write postgres://user:password@host:port/database');
  if (/\p{Surrogate}/u.test(text)) fail("it holds a lone surrogate, which is not text");
  if (CONTROL.test(text)) fail("it holds a control character; percent-encode it");
  if (text.includes("#")) fail('"#" starts a fragment, which a connection URL has none of: percent-encode it as %23 (in a password, for example)');

  const question = text.indexOf("?");
  const query = question < 0 ? "" : text.slice(question + 1);
  let base = question < 0 ? text : text.slice(0, question);
  // "postgres://u:p?ss@h/db": the "?" in the password starts the query, whose parameter names
  // would then hold the rest of the password; an "@" there is refused before any is quoted.
  if (query.includes("@")) fail('"@" after "?": percent-encode a "?" in the user name or password as %3F, and an "@" in a parameter as %40');
  const [authority = "", ...segments] = base.slice(base.indexOf("//") + 2).split("/");
  const path = segments.join("/");
  if (authority.slice(authority.lastIndexOf("@") + 1).includes(",")) fail("several hosts are not supported: node-postgres connects to one host");
  // An "@" after the host means the user info ended early ("postgres://u:p/w@h/db", or a "/"
  // too many in "postgres:///u:pw@h"): the rest of the password would become the database name.
  if (path.includes("@")) fail('"@" after the host: percent-encode a "/" in the password as %2F (and an "@" in the database name as %40)');
  // libpq reads "postgres://user@" as the default host; WHATWG URLs need the path to say so.
  if (base.endsWith("@")) base += "/";

  // pg-connection-string "repairs" a bad escape or a space by re-encoding the whole URL, which
  // also turns valid escapes with letters (%C3%A9) into literal text: a bad escape is refused
  // here, as libpq refuses it, and spaces are encoded first, so its repair never runs.
  try {
    if (PERCENT.test(base)) throw new URIError();
    decodeURIComponent(base);
  } catch {
    fail("invalid percent-encoding: % must start a UTF-8 escape such as %40 (write % itself as %25)");
  }
  const params = parseQuery(query, fail);
  let parsed: Record<string, string | null | undefined>;
  try {
    parsed = loadDriverDependency<{ parse: ParseConnectionString }>("pg", "pg-connection-string").parse(base.replaceAll(" ", "%20"));
  } catch (error) {
    if (error instanceof ConfigurationError || (error as { code?: string }).code === "DRIVER_MISSING") throw error;
    // The parser's own error may quote the input, so it is not kept as the cause.
    if (error instanceof URIError) return fail("invalid percent-encoding: % must start an escape such as %40 (write % itself as %25)");
    throw new ConfigurationError(
      `malformed PostgreSQL URL "${shown}": expected postgres://user:password@host:port/database, with special characters of the user name and password percent-encoded`,
    );
  }

  const take = (name: (typeof PARAMETERS)[number]): string | undefined => params.get(name) ?? undefined;
  const one = (name: string, fromPath: string | undefined, fromQuery: string | undefined): string | undefined => {
    if (fromPath !== undefined && fromQuery !== undefined && fromPath !== fromQuery) fail(`the ${name} is given twice, differently (in the URL and as a parameter)`);
    return fromQuery ?? fromPath;
  };
  const emptyToUndefined = (value: string | null | undefined) => (value === null || value === undefined || value === "" ? undefined : value);

  const username = one("user name", emptyToUndefined(parsed.user), take("user"));
  const password = one("password", emptyToUndefined(parsed.password), take("password"));
  // The path decoded as libpq decodes it (pg-connection-string's decodeURI leaves %40, %2F… encoded).
  const database = one("database", emptyToUndefined(decodeURIComponent(path)), take("dbname"));
  // Parts of the URL are never quoted on their own: a mistyped one may hold the password.
  if (database?.includes("/")) fail('the database name holds "/" (percent-encode a "/" in the password as %2F)');
  const host = take("host") ?? (emptyToUndefined(parsed.host) ?? "localhost");
  const portText = take("port") ?? emptyToUndefined(parsed.port);
  const port = portText === undefined ? 5432 : Number(portText);
  if (!/^\d+$/.test(portText ?? "5432") || port < 1 || port > 65535) fail("invalid port: expected 1 to 65535");

  const choice = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const value = params.get(name) ?? undefined;
    if (value !== undefined && !allowed.includes(value as T)) fail(`invalid ${name} "${value}": expected one of ${allowed.join(", ")}`);
    return value as T | undefined;
  };
  const sslMode = choice("sslmode", SSL_MODES);
  const channelBinding = choice("channel_binding", CHANNEL_BINDINGS);
  const targetSessionAttrs = choice("target_session_attrs", SESSION_ATTRS);
  const pooler = choice("pooler", POOLERS);
  const pipelineText = take("pipeline");
  if (pipelineText !== undefined && (!/^\d{1,2}$/.test(pipelineText) || Number(pipelineText) > 64)) fail(`invalid pipeline "${pipelineText}": expected a number of connections from 0 to 64`);
  const pipeline = pipelineText === undefined ? undefined : Number(pipelineText);
  const timeout = take("connect_timeout");
  if (timeout !== undefined && !/^-?\d+$/.test(timeout)) fail(`invalid connect_timeout "${timeout}": expected whole seconds`);
  const connectTimeoutSeconds = timeout === undefined ? undefined : Math.max(0, Number(timeout));

  const sslRootCert = take("sslrootcert");
  const sslCert = take("sslcert");
  const sslKey = take("sslkey");
  for (const [name, value] of [["sslrootcert", sslRootCert], ["sslcert", sslCert], ["sslkey", sslKey]] as const) {
    if (value === "") fail(`${name} is empty: give a file path`);
  }
  if ((sslCert === undefined) !== (sslKey === undefined)) fail("a client certificate needs both sslcert and sslkey");
  const tls = sslMode !== undefined && TLS_MODES.includes(sslMode);
  if (sslRootCert === "system" && sslMode !== undefined && sslMode !== "verify-full") {
    fail(`sslrootcert=system checks the server against the system's certificate authorities, which needs sslmode=verify-full (or no sslmode), not "${sslMode}"`);
  }
  const files = [sslRootCert === "system" ? undefined : sslRootCert, sslCert].some((value) => value !== undefined);
  if (files && !tls) fail(`sslrootcert, sslcert and sslkey need TLS: add sslmode=require, verify-ca or verify-full (${sslMode === undefined ? "without sslmode" : `with sslmode=${sslMode}`} Athanor connects without TLS)`);
  if (channelBinding === "require" && !tls && sslRootCert !== "system") {
    fail("channel_binding=require needs TLS, since the binding is to the TLS connection: add sslmode=require or stricter");
  }

  return {
    host,
    port,
    database: database ?? username ?? "postgres",
    username,
    password,
    sslMode: sslRootCert === "system" ? "verify-full" : sslMode,
    applicationName: take("application_name"),
    options: take("options"),
    channelBinding,
    targetSessionAttrs,
    connectTimeoutSeconds,
    sslRootCert,
    sslCert,
    sslKey,
    pooler,
    pipeline,
  };
}

function parseQuery(query: string, fail: (problem: string) => never): URLSearchParams {
  if (query === "") return new URLSearchParams();
  // URLSearchParams would turn a bad escape into U+FFFD without a word.
  for (const part of query.split("&")) {
    try {
      if (PERCENT.test(part)) throw new URIError();
      decodeURIComponent(part.replaceAll("+", " "));
    } catch {
      fail("invalid percent-encoding in the query string: % must start an escape such as %20 (write % itself as %25)");
    }
  }
  const params = new URLSearchParams(query);
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!(PARAMETERS as readonly string[]).includes(name)) {
      fail(`unknown parameter "${name}"${HINTS[name] ?? ""}; supported are ${PARAMETERS.join(", ")}`);
    }
    if (seen.has(name)) fail(`parameter "${name}" is given twice`);
    seen.add(name);
  }
  return params;
}
