import { EventEmitter } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { urlClientClass } from "../src/backends/postgres/postgres-url-client.js";
import { tlsFromUrl, urlClientConfig } from "../src/backends/postgres/postgres-url-config.js";
import { revealPassword } from "../src/engine/database-url.js";
import { ConfigurationError, ConnectionFailedError, createEngine, parseDatabaseUrl } from "../src/index.js";
import { postgresSuite } from "./support/postgres-suite.js";

const postgresUnavailable = process.env.ATHANOR_TEST_POSTGRES === "0";

function refusal(text: string): Error {
  try {
    parseDatabaseUrl(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as Error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe("PostgreSQL URL parameters users paste from hosted providers", () => {
  it("a Neon-style URL: sslmode, channel_binding and options", () => {
    const url = parseDatabaseUrl("postgresql://alex:AbC123dEf@ep-cool-darkness-123456.us-east-2.aws.neon.tech/dbname?sslmode=require&channel_binding=require&options=endpoint%3Dep-cool-darkness-123456");
    expect(url).toMatchObject({ host: "ep-cool-darkness-123456.us-east-2.aws.neon.tech", database: "dbname", username: "alex", sslMode: "require", channelBinding: "require", options: "endpoint=ep-cool-darkness-123456" });
    expect(revealPassword(url)).toBe("AbC123dEf");
  });

  it("every supported parameter parses, and toString says it back (password masked)", () => {
    const text =
      "postgres://app:pw@db.internal:6543/app?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&sslcert=%2Fetc%2Fc.pem&sslkey=%2Fetc%2Fk.pem&channel_binding=prefer&target_session_attrs=read-write&connect_timeout=10&application_name=api&options=-c%20search_path%3Dapp";
    const url = parseDatabaseUrl(text);
    expect(url).toMatchObject({
      sslMode: "verify-full", sslRootCert: "/etc/ca.pem", sslCert: "/etc/c.pem", sslKey: "/etc/k.pem", channelBinding: "prefer",
      targetSessionAttrs: "read-write", connectTimeoutSeconds: 10, applicationName: "api", options: "-c search_path=app",
    });
    const again = parseDatabaseUrl(url.toString());
    expect({ ...again }).toEqual({ ...url });
    expect(url.toString()).toContain("app:***@db.internal:6543/app?");
  });

  it("libpq's host, port, user, password and dbname parameters, and sslrootcert=system (implies verify-full)", () => {
    const url = parseDatabaseUrl("postgres://?host=%2Fvar%2Frun%2Fpostgresql&port=5433&user=app&password=s%26cret&dbname=app&sslrootcert=system");
    expect(url).toMatchObject({ host: "/var/run/postgresql", port: 5433, username: "app", database: "app", sslMode: "verify-full" });
    expect(revealPassword(url)).toBe("s&cret");
    expect(url.toString()).not.toContain("s&cret");
    expect(parseDatabaseUrl("postgres://u@h/db?connect_timeout=-1").connectTimeoutSeconds).toBe(0);
  });

  it.each([
    ["postgres://u@h/db?pool_size=5", /unknown parameter "pool_size"/],
    ["postgres://u@h/db?pgbouncer=true", /unknown parameter "pgbouncer".*pooler=transaction/],
    ["postgres://u@h/db?sslmode=sometimes", /invalid sslmode "sometimes"/],
    ["postgres://u@h/db?channel_binding=always", /invalid channel_binding "always"/],
    ["postgres://u@h/db?target_session_attrs=primary-ish", /invalid target_session_attrs "primary-ish"/],
    ["postgres://u@h/db?connect_timeout=ten", /invalid connect_timeout "ten"/],
    ["postgres://u@h/db?channel_binding=require", /channel_binding=require needs TLS/],
    ["postgres://u@h/db?sslmode=disable&channel_binding=require", /channel_binding=require needs TLS/],
    ["postgres://u@h/db?sslmode=require&sslcert=%2Fc.pem", /both sslcert and sslkey/],
    ["postgres://u@h/db?sslrootcert=%2Fca.pem", /need TLS/],
    ["postgres://u@h/db?sslmode=prefer&sslrootcert=%2Fca.pem", /need TLS/],
    ["postgres://u@h/db?sslmode=require&sslrootcert=system", /sslrootcert=system.*verify-full/],
    ["postgres://u@h/db?sslmode=require&sslmode=disable", /"sslmode" is given twice/],
    ["postgres://u@h/db?dbname=other", /database is given twice/],
    ["postgres://u@h/db?port=0", /invalid port/],
  ])("%s is refused, naming the parameter", (text, message) => {
    expect(refusal(text).message).toMatch(message);
  });
});

describe("what the URL makes of pg's client configuration", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "athanor-tls-"));
    await writeFile(join(folder, "ca.pem"), "CA");
    await writeFile(join(folder, "c.pem"), "CERT");
    await writeFile(join(folder, "k.pem"), "KEY");
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));
  const files = () => `sslrootcert=${encodeURIComponent(join(folder, "ca.pem"))}&sslcert=${encodeURIComponent(join(folder, "c.pem"))}&sslkey=${encodeURIComponent(join(folder, "k.pem"))}`;

  it("sslmode as libpq reads it", () => {
    const tls = (query: string) => tlsFromUrl(parseDatabaseUrl(`postgres://u@h/db?${query}`));
    expect(tls("sslmode=disable")).toBe(false);
    expect(tls("sslmode=prefer")).toBe(false);
    expect(tls("sslmode=require")).toEqual({ rejectUnauthorized: false });
    expect(tls("sslmode=no-verify")).toEqual({ rejectUnauthorized: false });
    expect(tls("sslmode=verify-full")).toEqual({});
    const verifyCa = tls("sslmode=verify-ca") as { checkServerIdentity: () => unknown };
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(tls(`sslmode=verify-full&${files()}`)).toEqual({ ca: "CA", cert: "CERT", key: "KEY" });
    // require with a root certificate checks the chain, as verify-ca does (libpq).
    expect(tls(`sslmode=require&${files()}`)).toMatchObject({ ca: "CA", cert: "CERT", key: "KEY", checkServerIdentity: expect.any(Function) });
    expect(tls("sslrootcert=system")).toEqual({});
  });

  it("a certificate file that cannot be read fails createEngine, naming the parameter", () => {
    expect(() => createEngine(`postgres://u@h/db?sslmode=verify-full&sslrootcert=${encodeURIComponent(join(folder, "missing.pem"))}`)).toThrow(/sslrootcert=.*missing\.pem cannot be read: ENOENT/);
  });

  it("options, channel binding, connect_timeout and the client class", () => {
    const plain = urlClientConfig(pg, parseDatabaseUrl("postgres://u:pw@h/db"));
    expect(plain).toMatchObject({ host: "h", port: 5432, database: "db", user: "u", password: "pw", application_name: "athanor", ssl: false });
    expect(plain.Client).toBeUndefined();
    const full = urlClientConfig(pg, parseDatabaseUrl("postgres://u@h/db?sslmode=require&channel_binding=require&options=-c%20x%3D1&connect_timeout=3&target_session_attrs=read-write"));
    expect(full).toMatchObject({ options: "-c x=1", enableChannelBinding: true, connectionTimeoutMillis: 3000 });
    expect(full.Client).toBeDefined();
    expect(urlClientConfig(pg, parseDatabaseUrl("postgres://u@h/db?sslmode=require&channel_binding=disable")).enableChannelBinding).toBeUndefined();
    expect(urlClientClass(pg, parseDatabaseUrl("postgres://u@h/db?target_session_attrs=any"))).toBeUndefined();
  });
});

/** A pg Connection stand-in that answers the startup with one authentication request. */
class FakeConnection extends EventEmitter {
  sentPassword = false;
  destroyed = false;
  readonly stream = { destroy: () => this.#destroy(), getPeerCertificate: () => ({}) };
  constructor(readonly request: () => void) {
    super();
  }
  connect() {
    setImmediate(() => this.emit("connect"));
  }
  requestSsl() {
    setImmediate(() => this.emit("sslconnect"));
  }
  startup() {
    setImmediate(this.request);
  }
  password() {
    if (!this.destroyed) this.sentPassword = true;
  }
  sendSASLInitialResponseMessage() {
    if (!this.destroyed) this.sentPassword = true;
  }
  end() {
    this.#destroy();
  }
  #destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    setImmediate(() => this.emit("end"));
  }
}

describe("channel_binding=require refuses a server that authenticates without binding, before sending a password", () => {
  const Client = urlClientClass(pg, parseDatabaseUrl("postgres://u:secret@h/db?sslmode=require&channel_binding=require"))!;
  it.each<[string, (connection: FakeConnection) => void]>([
    ["an md5 password request", (c) => c.emit("authenticationMD5Password", { salt: Buffer.alloc(4) })],
    ["a plain password request", (c) => c.emit("authenticationCleartextPassword")],
    ["SCRAM without -PLUS", (c) => c.emit("authenticationSASL", { mechanisms: ["SCRAM-SHA-256"] })],
    ["trust (no authentication at all)", (c) => c.emit("authenticationOk")],
  ])("%s", async (_, request) => {
    const connection: FakeConnection = new FakeConnection(() => request(connection));
    const client = new Client({ connection, password: "secret", ssl: { rejectUnauthorized: false } } as pg.ClientConfig);
    const error = await client.connect().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionFailedError);
    expect((error as Error).message).toMatch(/channel_binding=require/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(connection.sentPassword).toBe(false);
  });
});

describe("connect_timeout bounds a connection attempt to a server that never answers", () => {
  let server: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("1 second, not the 30 s acquire timeout", async () => {
    const port = (server.address() as { port: number }).port;
    const engine = createEngine(`postgres://u@127.0.0.1:${port}/db?connect_timeout=1`);
    const started = performance.now();
    const error = await sql`select 1`.execute(engine.db).then(() => undefined, (caught: unknown) => caught);
    const elapsed = performance.now() - started;
    await engine.dispose();
    // The server was reached but never answered within connect_timeout: the connection failed.
    expect(error).toBeInstanceOf(ConnectionFailedError);
    expect((error as Error).message).toMatch(/timeout/);
    expect(elapsed).toBeGreaterThan(900);
    expect(elapsed).toBeLessThan(5_000);
  });
});

describe.skipIf(postgresUnavailable)("PostgreSQL honours the URL's parameters", () => {
  const postgres = postgresSuite();
  const withParams = (query: string) => `${postgres.url()}${postgres.url().includes("?") ? "&" : "?"}${query}`;

  it("options (-c search_path) and application_name reach the session", async () => {
    const engine = postgres.engine(withParams("options=-c%20search_path%3Dathanor_elsewhere&application_name=from-url"));
    const { rows } = await sql<{ path: string; name: string }>`select current_setting('search_path') as path, current_setting('application_name') as name`.execute(engine.db);
    expect(rows).toEqual([{ path: "athanor_elsewhere", name: "from-url" }]);
  });

  it("application_name: the engine option names the connections; the URL's parameter overrides it; default athanor", async () => {
    const name = async (engine: ReturnType<typeof postgres.engine>) => (await sql<{ name: string }>`select current_setting('application_name') as name`.execute(engine.db)).rows[0]!.name;
    expect(await name(postgres.engine(postgres.url()))).toBe("athanor");
    expect(await name(postgres.engine(postgres.url(), { postgres: { applicationName: "agent-api/worker-2" } }))).toBe("agent-api/worker-2");
    expect(await name(postgres.engine(withParams("application_name=from-url"), { postgres: { applicationName: "from-code" } }))).toBe("from-url");
    for (const bad of ["", "x".repeat(64), "naïve", "line\nbreak", 42]) {
      expect(() => postgres.engine(postgres.url(), { postgres: { applicationName: bad as string } })).toThrow(/options\.postgres\.applicationName.*1 to 63 printable ASCII/);
    }
  });

  it("target_session_attrs: a primary is read-write and primary, never read-only or standby", async () => {
    for (const attrs of ["read-write", "primary", "any", "prefer-standby"]) {
      const engine = postgres.engine(withParams(`target_session_attrs=${attrs}`));
      expect((await sql<{ one: number }>`select 1 as one`.execute(engine.db)).rows).toEqual([{ one: 1 }]);
    }
    for (const attrs of ["read-only", "standby"]) {
      const engine = postgres.engine(withParams(`target_session_attrs=${attrs}`));
      const error = await sql`select 1`.execute(engine.db).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConnectionFailedError);
      expect((error as Error).message).toMatch(new RegExp(`target_session_attrs=${attrs}: the server at .* is (read-write|a primary)`));
    }
  });

  it("channel_binding=prefer connects to a server without TLS, as libpq does", async () => {
    const engine = postgres.engine(withParams("channel_binding=prefer"));
    expect((await sql<{ one: number }>`select 1 as one`.execute(engine.db)).rows).toEqual([{ one: 1 }]);
  });
});
