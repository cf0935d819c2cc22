import { execFile } from "node:child_process";
import { accessSync, constants, readdirSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { createServer } from "node:net";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Whether this machine can make throwaway clusters, and if not, why. */
export interface ClusterSupport {
  readonly available: boolean;
  readonly reason: string;
}

/**
 * A PostgreSQL cluster of its own, on its own port, made with Debian's `pg_createcluster` (as
 * root) for tests that stop, restart or reconfigure a server: the shared server other tests
 * (and other people's test runs) use is never touched. Trust authentication on 127.0.0.1;
 * `drop()` stops and deletes it.
 *
 * @example
 * ```ts
 * const cluster = await ThrowawayCluster.create();
 * const engine = createEngine(cluster.url());
 * await cluster.stop();
 * await cluster.start();
 * await cluster.drop();
 * ```
 */
export class ThrowawayCluster {
  readonly version: string;
  readonly name: string;
  readonly port: number;

  private constructor(version: string, name: string, port: number) {
    this.version = version;
    this.name = name;
    this.port = port;
  }

  /** Available: `pg_createcluster` is installed, a server version is installed, and this process runs as root. */
  static support(): ClusterSupport {
    if (!onPath("pg_createcluster")) return { available: false, reason: "pg_createcluster is not installed (Debian's postgresql-common)" };
    if (newestServerVersion() === undefined) return { available: false, reason: "no PostgreSQL server is installed under /usr/lib/postgresql" };
    if (process.getuid?.() !== 0) return { available: false, reason: "pg_createcluster needs root" };
    return { available: true, reason: "" };
  }

  /** Creates and starts a cluster on a free port (a few seconds: initdb without fsync). */
  static async create(): Promise<ThrowawayCluster> {
    const version = newestServerVersion();
    if (version === undefined) throw new Error("no PostgreSQL server is installed under /usr/lib/postgresql");
    const name = `athanor_test_${process.pid}_${Date.now().toString(36)}`;
    const port = await freePort();
    await run("pg_createcluster", [version, name, "-p", String(port), "--", "--auth=trust", "--no-sync"]);
    const cluster = new ThrowawayCluster(version, name, port);
    try {
      await cluster.start();
    } catch (error) {
      await cluster.drop();
      throw error;
    }
    return cluster;
  }

  /** The `postgres` database as the `postgres` superuser, over TCP. */
  url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    await run("pg_ctlcluster", [this.version, this.name, "start"]);
  }

  /** A fast shutdown: connections are terminated (`57P01`), as in a restart or failover. */
  async stop(): Promise<void> {
    await run("pg_ctlcluster", [this.version, this.name, "stop", "-m", "fast"]);
  }

  /**
   * A streaming replica of this cluster, as a cluster of its own on its own port:
   * `pg_basebackup -R` (a hot standby replaying this cluster's WAL). `applyDelayMillis` sets
   * `recovery_min_apply_delay`, so the replica replays each commit that much later: a lagging
   * replica on demand. Drop it before this one.
   *
   * @example
   * ```ts
   * const primary = await ThrowawayCluster.create();
   * const replica = await primary.createReplica({ applyDelayMillis: 2_000 });
   * ```
   */
  async createReplica(options: { applyDelayMillis?: number } = {}): Promise<ThrowawayCluster> {
    const name = `athanor_replica_${process.pid}_${Date.now().toString(36)}`;
    const port = await freePort();
    const replica = new ThrowawayCluster(this.version, name, port);
    const dataDirectory = `/var/lib/postgresql/${this.version}/${name}`;
    try {
      await run("install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "700", dataDirectory]);
      // As postgres, so the copied files belong to the server's user.
      const backup = ["-h", "127.0.0.1", "-p", String(this.port), "-U", "postgres", "-D", dataDirectory, "-R", "-X", "stream", "-c", "fast", "--no-sync"];
      await run("runuser", ["-u", "postgres", "--", "pg_basebackup", ...backup]);
      // pg_createcluster adopts a data directory that holds its configuration (Debian keeps it
      // in /etc, so the backup has none): no initdb of a cluster only to throw it away.
      for (const file of ["postgresql.conf", "pg_hba.conf", "pg_ident.conf"]) {
        await run("install", ["-o", "postgres", "-g", "postgres", "-m", "600", `/etc/postgresql/${this.version}/${this.name}/${file}`, `${dataDirectory}/${file}`]);
      }
      await run("pg_createcluster", [this.version, name, "-d", dataDirectory, "-p", String(port)]);
      if (options.applyDelayMillis !== undefined) {
        await appendFile(`/etc/postgresql/${this.version}/${name}/postgresql.conf`, `\nrecovery_min_apply_delay = '${options.applyDelayMillis}ms'\n`);
      }
      await replica.start();
    } catch (error) {
      await replica.drop();
      await run("rm", ["-rf", dataDirectory]).catch(() => undefined);
      throw error;
    }
    return replica;
  }

  /** Stops and deletes the cluster. Idempotent. */
  async drop(): Promise<void> {
    await run("pg_dropcluster", [this.version, this.name, "--stop"]).catch(() => undefined);
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((directory) => {
    try {
      accessSync(join(directory, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function newestServerVersion(): string | undefined {
  try {
    return readdirSync("/usr/lib/postgresql")
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a))[0];
  } catch {
    return undefined;
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on now (for a throwaway server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
