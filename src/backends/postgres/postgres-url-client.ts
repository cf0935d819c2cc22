import type pg from "pg";
import type { DatabaseUrl } from "../../engine/database-url.js";
import { ConnectionFailedError } from "../../errors.js";

type ClientClass = typeof pg.Client;
type Connection = { stream: { destroy(error?: Error): void }; on(event: string, listener: (message: any) => void): void };

/**
 * The `pg.Client` class a URL asks for, when it asks for more than `pg.Client` does by itself
 * (`undefined` otherwise); the pool creates its connections from it.
 * - `connect_timeout`: a connection attempt gets at most that long (the pool's own bound,
 *   `acquireTimeoutMillis`, still applies when it is shorter);
 * - `target_session_attrs`: after connecting, the server's role is checked as libpq checks it
 *   (`read-write`/`read-only`: `transaction_read_only`; `primary`/`standby`: `pg_is_in_recovery()`)
 *   and a server of the wrong role is refused with `ConnectionFailedError`; with one host,
 *   `any` and `prefer-standby` accept any server;
 * - `channel_binding=require`: a server that authenticates without SCRAM-SHA-256-PLUS (md5,
 *   password, trust, SCRAM without binding) is refused before any password is sent.
 *
 * @example
 * ```ts
 * new pg.Pool({ ...config, Client: urlClientClass(pg, url) ?? pg.Client });
 * ```
 */
export function urlClientClass(driver: typeof pg, url: DatabaseUrl): ClientClass | undefined {
  const connectMillis = (url.connectTimeoutSeconds ?? 0) * 1000;
  const role = url.targetSessionAttrs === "any" || url.targetSessionAttrs === "prefer-standby" ? undefined : url.targetSessionAttrs;
  const requireBinding = url.channelBinding === "require";
  if (connectMillis === 0 && role === undefined && !requireBinding) return undefined;
  const where = `${url.host}:${url.port}`;

  class UrlClient extends driver.Client {
    constructor(config?: pg.ClientConfig) {
      const bound = config?.connectionTimeoutMillis ? Math.min(config.connectionTimeoutMillis, connectMillis || Infinity) : connectMillis;
      super({ ...config, connectionTimeoutMillis: bound });
    }

    // Both of pg.Client's forms: a promise of the client, or a callback (which pg.Pool uses).
    override connect(callback?: any): any {
      const refused = requireBinding ? guardChannelBinding((this as unknown as { connection: Connection }).connection, where) : undefined;
      const connecting = (async () => {
        try {
          await super.connect();
        } catch (error) {
          throw refused?.() ?? error;
        }
        if (role !== undefined) await checkRole(this as unknown as pg.Client, role, where);
        return this;
      })();
      if (typeof callback !== "function") return connecting;
      connecting.then(() => callback(null, this), callback);
      return undefined;
    }
  }
  return UrlClient as unknown as ClientClass;
}

// Listeners added before pg's own run first: the socket is closed before pg answers a
// password request, so nothing secret goes to a server that will not bind the channel.
function guardChannelBinding(connection: Connection, where: string): () => Error | undefined {
  let refusal: Error | undefined;
  let bound = false;
  const refuse = (how: string) => {
    refusal ??= new ConnectionFailedError(`channel_binding=require: the server at ${where} ${how}, so the connection was refused`);
    connection.stream.destroy();
  };
  connection.on("authenticationCleartextPassword", () => refuse("asked for a plain password"));
  connection.on("authenticationMD5Password", () => refuse("asked for an md5 password"));
  connection.on("authenticationSASL", (message: { mechanisms: string[] }) => {
    if (message.mechanisms.includes("SCRAM-SHA-256-PLUS")) bound = true;
    else refuse("offered SCRAM without channel binding");
  });
  connection.on("authenticationOk", () => {
    if (!bound) refuse("authenticated the client without channel binding");
  });
  return () => refusal;
}

async function checkRole(client: pg.Client, role: "read-write" | "read-only" | "primary" | "standby", where: string): Promise<void> {
  const query = role === "read-write" || role === "read-only" ? "show transaction_read_only" : "select pg_is_in_recovery()::text as r";
  let value: string | undefined;
  try {
    const result = await client.query<Record<string, string>>(query);
    value = Object.values(result.rows[0] ?? {})[0];
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  const readOnly = value === "on" || value === "true";
  const wanted = role === "read-write" || role === "primary" ? !readOnly : readOnly;
  if (wanted) return;
  await client.end().catch(() => {});
  const found = role === "primary" || role === "standby" ? (readOnly ? "a standby (in recovery)" : "a primary") : readOnly ? "read-only" : "read-write";
  throw new ConnectionFailedError(`target_session_attrs=${role}: the server at ${where} is ${found}, so the connection was refused`);
}
