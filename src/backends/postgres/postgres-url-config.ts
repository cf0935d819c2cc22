import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import type pg from "pg";
import { revealPassword, type DatabaseUrl } from "../../engine/database-url.js";
import { ConfigurationError } from "../../errors.js";
import { urlClientClass } from "./postgres-url-client.js";

/**
 * What a PostgreSQL URL decides of `pg`'s client configuration: where to connect, as whom,
 * TLS (certificate files are read now, so a missing file fails `createEngine` naming the
 * parameter), `options`, channel binding, and the client class for `connect_timeout`,
 * `target_session_attrs` and `channel_binding=require` (see {@link urlClientClass}). The
 * connection's name is the URL's `application_name`, else `applicationName` (the engine's
 * `postgres.applicationName`), else `"athanor"`.
 *
 * @example
 * ```ts
 * const config = { ...urlClientConfig(pg, url), keepAlive: true };
 * ```
 */
export function urlClientConfig(driver: typeof pg, url: DatabaseUrl, applicationName = "athanor"): pg.PoolConfig {
  const config: pg.PoolConfig = {
    host: url.host,
    port: url.port,
    database: url.database,
    user: url.username,
    password: revealPassword(url),
    application_name: url.applicationName ?? applicationName,
    ssl: tlsFromUrl(url),
  };
  if (url.options !== undefined) config.options = url.options;
  // "prefer" and "require" both ask for SCRAM-SHA-256-PLUS when the server offers it over TLS.
  if (url.channelBinding === "prefer" || url.channelBinding === "require") config.enableChannelBinding = true;
  if ((url.connectTimeoutSeconds ?? 0) > 0) config.connectionTimeoutMillis = url.connectTimeoutSeconds! * 1000;
  const Client = urlClientClass(driver, url);
  if (Client !== undefined) config.Client = Client as unknown as pg.PoolConfig["Client"];
  return config;
}

/**
 * TLS from `sslmode` and the certificate parameters, as libpq reads them: `disable` and
 * `prefer` connect without TLS (node-postgres cannot fall back from TLS to plain);
 * `require` / `no-verify` encrypt without checking the certificate, unless `sslrootcert` names
 * a file, which makes `require` check the chain as `verify-ca` does; `verify-ca` checks the
 * chain, `verify-full` the chain and the host name (against `sslrootcert`, or Node's CAs).
 */
export function tlsFromUrl(url: DatabaseUrl): false | ConnectionOptions {
  const mode = url.sslMode;
  if (mode === undefined || mode === "disable" || mode === "prefer") return false;
  const tls: ConnectionOptions = {};
  const rootFile = url.sslRootCert !== undefined && url.sslRootCert !== "system" ? url.sslRootCert : undefined;
  if (rootFile !== undefined) tls.ca = readPem("sslrootcert", rootFile);
  if (url.sslCert !== undefined && url.sslKey !== undefined) {
    tls.cert = readPem("sslcert", url.sslCert);
    tls.key = readPem("sslkey", url.sslKey);
  }
  if (mode === "no-verify" || (mode === "require" && rootFile === undefined)) tls.rejectUnauthorized = false;
  else if (mode === "verify-ca" || mode === "require") tls.checkServerIdentity = () => undefined;
  return tls;
}

function readPem(parameter: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigurationError(`${parameter}=${path} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}
