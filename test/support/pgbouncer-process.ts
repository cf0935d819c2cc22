import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { testPostgresUrl } from "../../src/testing/index.js";
import { freePort } from "./throwaway-cluster.js";

/** Whether this machine can run PgBouncer for the tests, and if not, why. */
export interface PgBouncerSupport {
  readonly available: boolean;
  readonly reason: string;
}

/** PgBouncer is required (a missing binary fails the tests) in CI and with ATHANOR_REQUIRE_POSTGRES=1. */
export const pgbouncerRequired = process.env.CI === "true" || process.env.ATHANOR_REQUIRE_POSTGRES === "1";

/**
 * Debian's `pgbouncer` in transaction mode on a free loopback port, in front of the shared test
 * server (every database name is passed through as is), with its own ini, user list and log in
 * a temporary folder. Authentication is `trust` for the test server's user. As root it runs as
 * the `postgres` user (PgBouncer refuses to run as root). `stop()` ends it and removes the folder.
 *
 * @example
 * ```ts
 * const bouncer = await PgBouncerProcess.start();
 * const url = bouncer.rewrite(database.url); // same database, through PgBouncer
 * await bouncer.stop();
 * ```
 */
export class PgBouncerProcess {
  readonly port: number;
  readonly #child: ChildProcess;
  readonly #directory: string;
  #exited: Promise<void>;

  private constructor(port: number, child: ChildProcess, directory: string) {
    this.port = port;
    this.#child = child;
    this.#directory = directory;
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  /** The binary is installed (`.ci/run` installs it), and the test server is reachable. */
  static support(): PgBouncerSupport {
    if (binary() === undefined) return { available: false, reason: "pgbouncer is not installed (apt-get install pgbouncer; .ci/run does it)" };
    if (process.env.ATHANOR_TEST_POSTGRES === "0") return { available: false, reason: "the PostgreSQL test server is unreachable" };
    return { available: true, reason: "" };
  }

  /**
   * Starts PgBouncer with `pool_mode = transaction` and at most `poolSize` server connections
   * per database and user (small, so a client's transactions really do move between them).
   */
  static async start(options: { poolSize?: number } = {}): Promise<PgBouncerProcess> {
    const executable = binary();
    if (executable === undefined) throw new Error(PgBouncerProcess.support().reason);
    const server = new URL(testPostgresUrl());
    const user = decodeURIComponent(server.username || "postgres");
    const port = await freePort();
    const directory = await mkdtemp(join(tmpdir(), "athanor-pgbouncer-"));
    const ini = [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || "5432"}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(directory, "userlist.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${options.poolSize ?? 4}`,
      "max_client_conn = 500",
      "max_db_connections = 0",
      "server_reset_query =",
      "ignore_startup_parameters = extra_float_digits",
      `logfile = ${join(directory, "pgbouncer.log")}`,
      `pidfile = ${join(directory, "pgbouncer.pid")}`,
      `admin_users = ${user}`,
      "",
    ].join("\n");
    await writeFile(join(directory, "pgbouncer.ini"), ini);
    await writeFile(join(directory, "userlist.txt"), `"${user}" ""\n`);
    const asRoot = process.getuid?.() === 0;
    const ids = asRoot ? await postgresIds() : undefined;
    if (ids !== undefined) {
      for (const name of ["", "pgbouncer.ini", "userlist.txt"]) await chown(join(directory, name), ids.uid, ids.gid);
    }
    const child = spawn(executable, [join(directory, "pgbouncer.ini")], { stdio: "ignore", ...(ids ?? {}) });
    const bouncer = new PgBouncerProcess(port, child, directory);
    try {
      await bouncer.#ready();
    } catch (error) {
      const log = await readFile(join(directory, "pgbouncer.log"), "utf8").catch(() => "");
      await bouncer.stop();
      throw new Error(`pgbouncer did not start on port ${port}: ${(error as Error).message}\n${log}`);
    }
    return bouncer;
  }

  /** `url` (a database on the test server) as reached through PgBouncer, with `?pooler=transaction` unless `pooler` is false. */
  rewrite(url: string, pooler = true): string {
    const parsed = new URL(url);
    parsed.hostname = "127.0.0.1";
    parsed.port = String(this.port);
    if (pooler) parsed.searchParams.set("pooler", "transaction");
    return parsed.toString();
  }

  /** Ends PgBouncer (SIGINT: at once) and removes its folder. Idempotent. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGINT");
    await this.#exited;
    await rm(this.#directory, { recursive: true, force: true });
  }

  async #ready(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.#child.exitCode !== null) throw new Error(`it exited with code ${this.#child.exitCode}`);
      if (await accepts(this.port)) return;
      if (Date.now() > deadline) throw new Error("it did not accept connections within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function binary(): string | undefined {
  const directories = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  for (const directory of directories) {
    const candidate = join(directory, "pgbouncer");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next directory
    }
  }
  return undefined;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile("/etc/passwd", "utf8");
  const fields = passwd.split("\n").find((line) => line.startsWith("postgres:"))?.split(":");
  if (fields === undefined) throw new Error("pgbouncer refuses to run as root, and there is no postgres user to run it as");
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * True when the PgBouncer tests are to be skipped: no binary (or no test server), outside CI.
 * In CI (and with ATHANOR_REQUIRE_POSTGRES=1) it is false, so a missing binary fails the tests
 * loudly when `PgBouncerProcess.start()` throws.
 */
export const pgbouncerUnavailable: boolean = (() => {
  const support = PgBouncerProcess.support();
  if (support.available || pgbouncerRequired) return false;
  process.stderr.write(`[athanor tests] PgBouncer tests are SKIPPED: ${support.reason}\n`);
  return true;
})();
