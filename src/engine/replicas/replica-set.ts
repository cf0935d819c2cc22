import type { Backend, BackendConnection } from "../../backends/backend.js";
import type { ReplicationProbe } from "../../backends/replication-probe.js";
import { revealPassword, type DatabaseUrl } from "../database-url.js";
import type { ResolvedEngineOptions } from "../engine-options.js";
import type { Instrumentation } from "../instrumentation.js";
import { ConnectionFailedError } from "../../errors.js";
import { PositionHistory } from "./position-history.js";
import { readYourWritesContext } from "./read-your-writes.js";
import { ReplicaServer, serverName } from "./replica-server.js";
import type { ReplicasStatus } from "./replica-status.js";

/**
 * A primary and its read replicas: checks the replicas in the background (unref'd timer,
 * started by the first routed read, stopped by `close()`), picks the server for each read,
 * and counts where reads went.
 */
export class ReplicaSet {
  readonly primary: Backend;
  readonly primaryName: string;
  readonly servers: readonly ReplicaServer[];
  readonly #probe: ReplicationProbe;
  readonly #options: ResolvedEngineOptions;
  readonly #instrumentation: Instrumentation;
  readonly #history: PositionHistory;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #firstCheck: Promise<void> | undefined;
  #closed = false;
  #turn = 0;
  readonly fallbacks = { unavailable: 0, readYourWrites: 0 };

  constructor(primaryUrl: DatabaseUrl, primary: Backend, replicas: ReadonlyArray<{ url: DatabaseUrl; backend: Backend }>, probe: ReplicationProbe, options: ResolvedEngineOptions, instrumentation: Instrumentation) {
    this.primary = primary;
    this.primaryName = serverName(primaryUrl);
    this.servers = Object.freeze(replicas.map(({ url, backend }) => new ReplicaServer(url, backend)));
    this.#probe = probe;
    this.#options = options;
    this.#instrumentation = instrumentation;
    this.#history = new PositionHistory(2 * options.maxReplicaLagMillis + options.replicaCheckIntervalMillis);
  }

  /**
   * A connection for one read: from the least busy replica in rotation that has replayed
   * this context's writes, else from the primary (counted and emitted as a fallback). The
   * first call starts the checks and waits for the first one.
   */
  async acquireForRead(): Promise<{ connection: BackendConnection; backend: Backend }> {
    this.#start();
    if (this.#firstCheck !== undefined) await this.#firstCheck;
    const scope = readYourWritesContext.getStore();
    const needed = scope?.unknown === true ? undefined : scope?.position;
    let inRotation = this.servers.filter((server) => server.inRotation);
    while (inRotation.length > 0 && scope?.unknown !== true) {
      const caughtUp = needed === undefined ? inRotation : inRotation.filter((server) => server.replayed !== undefined && server.replayed >= needed);
      const server = this.#leastBusy(caughtUp.length > 0 ? caughtUp : inRotation);
      // The last check is up to an interval old: when it says none has caught up, ask the least busy replica where it is now.
      const read = caughtUp.length > 0 ? await this.#readFrom(server) : await this.#askReplica(server, needed!);
      if (read !== undefined) return read;
      if (server.inRotation) break; // reachable, but behind this scope's writes
      inRotation = this.servers.filter((candidate) => candidate.inRotation); // it went down: the others, or the primary
    }
    const reason = inRotation.length === 0 ? "unavailable" : "readYourWrites";
    this.fallbacks[reason]++;
    this.#instrumentation.emit("replicaFallback", { reason });
    return { connection: await this.primary.pool.acquire(), backend: this.primary };
  }

  /** A connection of `server`; `undefined` when it cannot be opened (the replica is then out of rotation at once, not at the next check). */
  async #readFrom(server: ReplicaServer): Promise<{ connection: BackendConnection; backend: Backend } | undefined> {
    const connection = await this.#acquire(server);
    if (connection === undefined) return undefined;
    server.reads++;
    return { connection, backend: server.backend };
  }

  async #acquire(server: ReplicaServer): Promise<BackendConnection | undefined> {
    try {
      return await server.backend.pool.acquire();
    } catch (error) {
      // A busy replica's pool timeout is the caller's to see; a replica that refuses connections is down.
      if (!(error instanceof ConnectionFailedError)) throw error;
      this.#judge(server, null, `unreachable: ${scrub(error.message, server.url)}`);
      return undefined;
    }
  }

  async #askReplica(server: ReplicaServer, needed: bigint): Promise<{ connection: BackendConnection; backend: Backend } | undefined> {
    const pool = server.backend.pool;
    const connection = await this.#acquire(server);
    if (connection === undefined) return undefined;
    try {
      const replayed = await this.#probe.replayedPosition(connection);
      if (replayed !== undefined && (server.replayed === undefined || replayed > server.replayed)) server.replayed = replayed;
      if (replayed !== undefined && replayed >= needed) {
        server.reads++;
        return { connection, backend: server.backend };
      }
    } catch {
      await Promise.resolve(pool.destroy(connection)).catch(() => undefined);
      return undefined;
    }
    await Promise.resolve(pool.release(connection)).catch(() => undefined);
    return undefined;
  }

  #leastBusy(servers: readonly ReplicaServer[]): ReplicaServer {
    // Ties (the usual case when idle) take turns, so idle replicas share the reads.
    const start = this.#turn++ % servers.length;
    let best = servers[start]!;
    for (let i = 1; i < servers.length; i++) {
      const server = servers[(start + i) % servers.length]!;
      if (server.load < best.load) best = server;
    }
    return best;
  }

  #start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    // Outside the first reader's async context: the checks must not carry (or keep alive) its read-your-writes scope.
    this.#firstCheck = readYourWritesContext.exit(() => this.check()).finally(() => (this.#firstCheck = undefined));
    this.#timer = readYourWritesContext.exit(() => setInterval(() => void this.check(), this.#options.replicaCheckIntervalMillis));
    this.#timer.unref();
  }

  /** Checks every replica now (one round at a time): reachable, a standby, and how far behind. Never throws. */
  check(): Promise<void> {
    this.#checking ??= this.#checkAll().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #checkAll(): Promise<void> {
    try {
      const position = await this.#bounded(this.#position(this.primary, (connection) => this.#probe.currentPosition(connection)));
      this.#history.add(position, performance.now());
    } catch {
      // Primary unreachable: replicas are judged by reachability and their last lag, so reads keep working.
    }
    await Promise.all(this.servers.map((server) => this.#checkReplica(server)));
  }

  async #checkReplica(server: ReplicaServer): Promise<void> {
    let replayed: bigint | undefined;
    try {
      replayed = await this.#bounded(this.#position(server.backend, (connection) => this.#probe.replayedPosition(connection)));
    } catch (error) {
      this.#judge(server, null, `unreachable: ${scrub(error instanceof Error ? error.message : String(error), server.url)}`);
      return;
    }
    if (replayed === undefined) {
      this.#judge(server, null, "not a standby: the server is not in recovery, so it is not replicating from the primary");
      return;
    }
    if (server.replayed === undefined || replayed > server.replayed) server.replayed = replayed;
    const lag = Math.round(this.#history.lagMillis(replayed, performance.now()));
    const limit = this.#options.maxReplicaLagMillis;
    this.#judge(server, lag, lag > limit ? `lagging: ${lag} ms behind the primary (maxReplicaLagMillis ${limit})` : null);
  }

  #judge(server: ReplicaServer, lagMillis: number | null, reason: string | null): void {
    server.lagMillis = lagMillis;
    const inRotation = reason === null;
    const changed = server.inRotation !== inRotation || (server.reason === "not checked yet" && !inRotation);
    server.inRotation = inRotation;
    server.reason = reason;
    if (!changed) return;
    this.#instrumentation.emit("replicaState", { server: server.name, inRotation, reason, lagMillis });
    if (inRotation) this.#instrumentation.info("replica", `replica ${server.name} is in rotation`);
    else this.#instrumentation.warn("replica", `replica ${server.name} is out of rotation: ${reason}`);
  }

  async #position<T>(backend: Backend, read: (connection: BackendConnection) => Promise<T>): Promise<T> {
    const connection = await backend.pool.acquire();
    try {
      const value = await read(connection);
      await backend.pool.release(connection);
      return value;
    } catch (error) {
      await Promise.resolve(backend.pool.destroy(connection)).catch(() => undefined);
      throw error;
    }
  }

  /** A check never waits longer than the health check bound: a server that stopped answering is out of rotation, not a stuck timer. */
  #bounded<T>(promise: Promise<T>): Promise<T> {
    const millis = this.#options.healthCheckTimeoutMillis;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${millis} ms`)), millis);
    });
    promise.catch(() => undefined);
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  status(): ReplicasStatus {
    return Object.freeze({
      primary: Object.freeze({ name: this.primaryName, pool: this.primary.pool.status() }),
      replicas: Object.freeze(
        this.servers.map((server) =>
          Object.freeze({ name: server.name, inRotation: server.inRotation, lagMillis: server.lagMillis, reason: server.reason, reads: server.reads, pool: server.backend.pool.status() }),
        ),
      ),
      fallbacks: Object.freeze({ ...this.fallbacks }),
    });
  }

  /** Stops the checks and closes every replica's pool (the primary's pool is closed by its owner). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#checking?.catch(() => undefined);
    await Promise.all(this.servers.map((server) => server.backend.pool.close()));
  }
}

function scrub(message: string, url: DatabaseUrl): string {
  const password = revealPassword(url);
  return password !== undefined && password.length > 0 ? message.replaceAll(password, "***") : message;
}
