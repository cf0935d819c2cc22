import type pg from "pg";
import { AthanorError, ConnectHookError, EngineDisposedError, PoolTimeoutError } from "../../errors.js";
import type { DisconnectReason } from "../../engine/engine-events.js";
import type { ResolvedEngineOptions } from "../../engine/engine-options.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import { captureSite, CheckoutTracker, NO_SITE } from "../../pool/checkout-tracker.js";
import type { MaybePromise } from "../../pool/maybe-promise.js";
import type { Pool } from "../../pool/pool.js";
import { formatPoolStatus, type PoolStatus } from "../../pool/pool-status.js";
import { PostgresConnection } from "./postgres-connection.js";
import { PostgresPipeline } from "./postgres-pipeline.js";
import { PostgresRowDecoders } from "./postgres-row-decoders.js";
import { postgresTypeMapping } from "./postgres-type-mapping.js";
import { ValueDecoders } from "../../schema/value-decoders.js";
import { mapPostgresConnectError, mapPostgresError } from "./postgres-error-mapper.js";

const DISPOSE_GRACE_MILLIS = 5_000;
/** Upper bound for sockets to close at dispose (a peer that never answers must not hang it). */
const SOCKET_CLOSE_MILLIS = 5_000;

/**
 * `pg.Pool` with what SQLAlchemy users expect on top: steady size plus overflow, pre-ping,
 * recycle, acquire timeout with diagnostics, leak detection, and connections returned
 * inside a transaction rolled back (or destroyed) rather than reused dirty.
 */
export class PostgresPool implements Pool<PostgresConnection> {
  readonly #pool: pg.Pool;
  readonly #Query: typeof pg.Query;
  readonly #options: ResolvedEngineOptions;
  readonly #instrumentation: Instrumentation;
  readonly #connections = new Map<pg.PoolClient, PostgresConnection>();
  readonly #reasons = new WeakMap<pg.PoolClient, DisconnectReason>();
  readonly #tracker: CheckoutTracker<PostgresConnection>;
  #created = 0;
  #destroyed = 0;
  #timeouts = 0;
  #closing: Promise<void> | undefined;
  #allRemoved: (() => void) | undefined;

  /** The engine's schema values, read back by each result's row description (none without a schema). */
  readonly #decoders: PostgresRowDecoders | undefined;
  /** The connections that carry autocommit builder statements pipelined (`postgres.pipeline`), beside the pool. */
  readonly pipeline: PostgresPipeline | undefined;

  constructor(driver: typeof pg, config: pg.PoolConfig, options: ResolvedEngineOptions, instrumentation: Instrumentation) {
    this.#decoders = options.schema === undefined ? undefined : new PostgresRowDecoders(new ValueDecoders(options.schema, postgresTypeMapping));
    const { size, maxOverflow, overflowIdleMillis, acquireTimeoutMillis } = options.pool;
    this.#options = options;
    this.#instrumentation = instrumentation;
    this.#tracker = new CheckoutTracker(options.pool.leakDetectionMillis, (ageMillis, stack) => {
      instrumentation.emit("leak", { ageMillis, stack });
      instrumentation.warn("leak", `a connection has been checked out for ${ageMillis} ms and not returned; checked out at:\n${stack}`);
    });
    this.#Query = driver.Query;
    this.pipeline = options.postgres.pipeline > 0 ? new PostgresPipeline(driver, config, options, instrumentation, this.#decoders) : undefined;
    this.#pool = new driver.Pool({
      ...config,
      max: size + maxOverflow,
      min: size,
      idleTimeoutMillis: overflowIdleMillis,
      connectionTimeoutMillis: acquireTimeoutMillis,
    });
    this.#pool.on("connect", (client) => this.#onConnect(client));
    this.#pool.on("remove", (client) => this.#onRemove(client));
    // pg.Pool re-emits an idle client's error (server restart, pg_terminate_backend) here and,
    // without a listener, would crash the process. The client's own listener (#onConnect)
    // has already reported it.
    this.#pool.on("error", (_error, client) => {
      this.#reasons.set(client, "error");
    });
  }

  async acquire(): Promise<PostgresConnection> {
    if (this.#closing !== undefined) throw new EngineDisposedError();
    // Before the first await: only the synchronous stack still names the caller's code.
    const { size, maxOverflow } = this.#options.pool;
    const site = this.#tracker.wantsSite(this.#tracker.size + 1 >= size + maxOverflow) ? captureSite() : NO_SITE;
    const deadline = performance.now() + this.#options.pool.acquireTimeoutMillis;
    for (;;) {
      let client: pg.PoolClient;
      try {
        client = await this.#connect();
      } catch (error) {
        const mapped = this.#acquireError(error);
        this.#instrumentation.error(mapped, undefined);
        throw mapped;
      }
      const connection = this.#connections.get(client);
      if (connection === undefined) {
        client.release(true);
        continue;
      }
      // The common case needs no await: a microtask less per checkout.
      if (this.#readyAsIs(connection) || (await this.#usable(connection, deadline))) {
        connection.checkouts++;
        this.#tracker.checkout(connection, site);
        this.#instrumentation.emit("checkout", { connectionId: connection.id });
        return connection;
      }
      if (performance.now() > deadline) throw this.#timeoutError("while replacing dead or expired connections");
    }
  }

  /** `pg.Pool#connect` through its callback: one promise instead of pg-pool's two. */
  #connect(): Promise<pg.PoolClient> {
    return new Promise((resolve, reject) => {
      this.#pool.connect((error, client) => (error !== undefined && error !== null ? reject(error) : resolve(client!)));
    });
  }

  /** Checks a connection back in; returns a promise only when it must first roll back or deallocate statements. */
  release(connection: PostgresConnection): MaybePromise<void> {
    if (!this.#tracker.checkin(connection)) return;
    this.#instrumentation.emit("checkin", { connectionId: connection.id });
    if (connection.broken) return this.#discard(connection, "error");
    if (connection.inTransaction) return this.#releaseDirty(connection);
    return this.#returnToPool(connection);
  }

  async #releaseDirty(connection: PostgresConnection): Promise<void> {
    this.#instrumentation.warn("dirty", `connection ${connection.id} was returned inside an open transaction; rolling it back`);
    try {
      await connection.rollback();
    } catch {
      return this.#discard(connection, "dirty");
    }
    await this.#returnToPool(connection);
  }

  #returnToPool(connection: PostgresConnection): MaybePromise<void> {
    if (this.#expired(connection)) return this.#discard(connection, "recycle");
    const { size, overflowIdleMillis } = this.#options.pool;
    if (overflowIdleMillis === 0 && this.#pool.totalCount > size && this.#pool.waitingCount === 0) {
      return this.#discard(connection, "overflow");
    }
    if (connection.hasEvictedStatements) {
      // A DEALLOCATE that got no answer within queryTimeoutMillis broke the connection.
      return connection.deallocateEvicted().then(() => (connection.broken ? this.#discard(connection, "error") : connection.client.release()));
    }
    connection.client.release();
  }

  destroy(connection: PostgresConnection): void {
    if (!this.#tracker.checkin(connection)) return;
    this.#instrumentation.emit("checkin", { connectionId: connection.id });
    this.#discard(connection, "error");
  }

  status(): PoolStatus {
    const total = this.#pool.totalCount;
    const pipelined = this.pipeline?.status();
    return {
      size: this.#options.pool.size,
      total,
      checkedOut: this.#tracker.size,
      idle: this.#pool.idleCount,
      overflow: Math.max(0, total - this.#options.pool.size),
      waiting: this.#pool.waitingCount,
      created: this.#created,
      destroyed: this.#destroyed,
      timeouts: this.#timeouts,
      ...(pipelined === undefined ? {} : { pipelineConnections: pipelined.connections, pipelined: pipelined.inFlight }),
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const pipelineClosed = this.pipeline?.close();
    const ended = this.#pool.end();
    const deadline = Date.now() + this.#options.pool.disposeGraceMillis;
    while (this.#tracker.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    // Checkouts still out after the grace period are closed under their holders.
    for (const connection of this.#tracker.drain()) this.#discard(connection, "dispose");
    await ended;
    await pipelineClosed;
    // pg.Pool resolves end() before its clients' sockets have closed: wait for every `remove`,
    // so that dispose() means closed and every `disconnect` event has been emitted.
    if (this.#connections.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SOCKET_CLOSE_MILLIS);
        this.#allRemoved = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  #readyAsIs(connection: PostgresConnection): boolean {
    return connection.initialized && !connection.broken && !this.#options.pool.prePing && !this.#expired(connection);
  }

  async #usable(connection: PostgresConnection, deadline: number): Promise<boolean> {
    if (connection.broken) {
      this.#discard(connection, "error");
      return false;
    }
    if (this.#expired(connection)) {
      this.#discard(connection, "recycle");
      return false;
    }
    if (!connection.initialized) {
      const onConnect = this.#options.postgres.onConnect;
      try {
        if (onConnect !== undefined) await onConnect(connection.client);
      } catch (error) {
        this.#discard(connection, "error");
        throw new ConnectHookError(`postgres.onConnect failed: ${(error as Error).message}`, { cause: error });
      }
      connection.initialized = true;
      return true;
    }
    if (this.#options.pool.prePing) {
      const { prePingTimeoutMillis } = this.#options.pool;
      const left = Math.max(0, deadline - performance.now());
      const answer = await this.#ping(connection, Math.min(prePingTimeoutMillis, left));
      if (answer !== "alive") {
        this.#discard(connection, "pre-ping");
        // Silent for all the checkout had left: no time remains to try another connection.
        if (answer === "silent" && left <= prePingTimeoutMillis) throw this.#timeoutError("while pre-pinging a connection that never answered");
        return false;
      }
    }
    return true;
  }

  /**
   * A round trip bounded by `limitMillis` (`prePingTimeoutMillis`, or what is left of the
   * checkout's time): on a connection whose peer vanished without a reset (a NAT that dropped
   * its state), `select 1` would wait for TCP to give up, minutes past `acquireTimeoutMillis`.
   * Discarding the connection destroys its socket (pg does, with a query in flight).
   */
  async #ping(connection: PostgresConnection, limitMillis: number): Promise<"alive" | "dead" | "silent"> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"silent">((resolve) => {
      timer = setTimeout(() => resolve("silent"), limitMillis);
    });
    try {
      const answered = connection.client.query("select 1").then(
        () => "alive" as const,
        () => "dead" as const,
      );
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #expired(connection: PostgresConnection): boolean {
    const recycle = this.#options.pool.recycleMillis;
    return recycle > 0 && performance.now() - connection.createdAt >= recycle;
  }

  #discard(connection: PostgresConnection, reason: DisconnectReason): void {
    this.#reasons.set(connection.client, reason);
    try {
      connection.client.release(true);
    } catch {
      // already released: pg.Pool removes it on its own
    }
  }

  #onConnect(client: pg.PoolClient): void {
    const { prepareStatements, statementCacheSize, postgres } = this.#options;
    const connection = new PostgresConnection(this.#instrumentation.nextConnectionId(), client, this.#Query, this.#instrumentation, prepareStatements, statementCacheSize, postgres.queryTimeoutMillis, this.#decoders);
    // A checked-out client has no pg.Pool listener; an 'error' without one would crash the process.
    client.on("error", (error) => {
      // A dying connection reports several errors (the server's FATAL, then the socket's end);
      // report the first, or none when a failing query already reported it.
      if (connection.broken) return;
      connection.broken = true;
      if (!this.#reasons.has(client)) this.#reasons.set(client, "error");
      this.#instrumentation.error(mapPostgresError(error), undefined);
    });
    this.#connections.set(client, connection);
    this.#created++;
    this.#instrumentation.emit("connect", { connectionId: connection.id });
  }

  #onRemove(client: pg.PoolClient): void {
    const connection = this.#connections.get(client);
    if (connection === undefined) return;
    this.#connections.delete(client);
    this.#destroyed++;
    const reason = this.#reasons.get(client) ?? (this.#closing !== undefined ? "dispose" : "overflow");
    this.#instrumentation.emit("disconnect", { connectionId: connection.id, reason });
    if (this.#connections.size === 0) this.#allRemoved?.();
  }

  #acquireError(error: unknown): AthanorError {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes("timeout exceeded when trying to connect")) return this.#timeoutError("");
    if (message.includes("Cannot use a pool after calling end")) return new EngineDisposedError();
    if (message.includes("connection timeout")) return this.#timeoutError("while opening a new connection", error);
    return mapPostgresConnectError(error);
  }

  #timeoutError(context: string, cause?: unknown): PoolTimeoutError {
    this.#timeouts++;
    const status = this.status();
    const limit = this.#options.pool.size + this.#options.pool.maxOverflow;
    const message =
      `could not check out a connection within ${this.#options.pool.acquireTimeoutMillis} ms${context ? ` ${context}` : ""} ` +
      `(pool: ${formatPoolStatus(status)}, limit ${limit}). Oldest checkouts:\n${this.#tracker.describeOldest(3)}\n` +
      "One old checkout that never returns is a leak (a session not closed); many young ones are load (raise pool.size or maxOverflow).";
    return new PoolTimeoutError(message, status, { cause });
  }
}
