import type pg from "pg";
import { ConnectHookError, EngineDisposedError, PoolTimeoutError } from "../../errors.js";
import type { DatabaseUrl } from "../../engine/database-url.js";
import type { DisconnectReason } from "../../engine/engine-events.js";
import type { ResolvedEngineOptions } from "../../engine/engine-options.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import { captureSite, CheckoutTracker, NO_SITE } from "../../pool/checkout-tracker.js";
import type { MaybePromise } from "../../pool/maybe-promise.js";
import type { Pool } from "../../pool/pool.js";
import { formatPoolStatus, type PoolStatus } from "../../pool/pool-status.js";
import { ValueDecoders } from "../../schema/value-decoders.js";
import { PostgresConnection } from "../postgres/postgres-connection.js";
import { mapPostgresConnectError, mapPostgresError } from "../postgres/postgres-error-mapper.js";
import { PostgresRowDecoders } from "../postgres/postgres-row-decoders.js";
import { postgresTypeMapping, postgresTypeParsers } from "../postgres/postgres-type-mapping.js";
import type { PgliteModule } from "./pglite-driver.js";
import { openPgliteHost, releasePgliteHost, type PgliteHost } from "./pglite-host.js";
import { PgliteProtocolConnection, type PgProtocol } from "./pglite-protocol-connection.js";

/** The drivers a PGlite engine runs on: PGlite, and pg's protocol client over PGlite's own wire connection. */
export interface PgliteDrivers {
  readonly pg: typeof pg;
  readonly pglite: PgliteModule;
  readonly protocol: PgProtocol;
  readonly extensions: Record<string, unknown>;
}

/**
 * PGlite runs one session, so its pool is SQLite's single writer: one connection (pg's
 * client over an in-process wire connection to PGlite, with everything the PostgreSQL backend
 * does on it: named statements, pipelined BEGIN, row decoders, typed errors), held by one
 * checkout at a time behind an async mutex. A session holds it for its transaction; everyone
 * else waits in line, up to `acquireTimeoutMillis`, without blocking the event loop. The
 * mutex is the instance's, so engines of this process on the same database queue together.
 */
export class PglitePool implements Pool<PostgresConnection> {
  readonly #drivers: PgliteDrivers;
  readonly #url: DatabaseUrl;
  readonly #options: ResolvedEngineOptions;
  readonly #instrumentation: Instrumentation;
  readonly #tracker: CheckoutTracker<PostgresConnection>;
  readonly #decoders: PostgresRowDecoders | undefined;
  #host: Promise<PgliteHost> | undefined;
  /** The host once started (so checking in never waits for a promise). */
  #started: PgliteHost | undefined;
  #connection: PostgresConnection | undefined;
  /** True while this pool holds the instance's session mutex. */
  #locked = false;
  #waiting = 0;
  #nextId = 1;
  #created = 0;
  #destroyed = 0;
  #timeouts = 0;
  #closing: Promise<void> | undefined;

  constructor(drivers: PgliteDrivers, url: DatabaseUrl, options: ResolvedEngineOptions, instrumentation: Instrumentation) {
    this.#drivers = drivers;
    this.#url = url;
    this.#options = options;
    this.#instrumentation = instrumentation;
    this.#decoders = options.schema === undefined ? undefined : new PostgresRowDecoders(new ValueDecoders(options.schema, postgresTypeMapping));
    this.#tracker = new CheckoutTracker(options.pool.leakDetectionMillis, (ageMillis, stack) => {
      instrumentation.emit("leak", { ageMillis, stack });
      instrumentation.warn("leak", `the PGlite connection has been checked out for ${ageMillis} ms and not returned; checked out at:\n${stack}`);
    });
  }

  /** The instance this engine runs on, started on first use. */
  host(): Promise<PgliteHost> {
    if (this.#closing !== undefined) return Promise.reject(new EngineDisposedError());
    this.#host ??= openPgliteHost(this.#drivers.pglite, this.#url, this.#drivers.extensions).catch((error: unknown) => {
      this.#host = undefined;
      const mapped = mapPostgresConnectError(error);
      this.#instrumentation.error(mapped, undefined);
      throw mapped;
    });
    return this.#host;
  }

  async acquire(): Promise<PostgresConnection> {
    if (this.#closing !== undefined) throw new EngineDisposedError();
    const site = this.#tracker.wantsSite(true) ? captureSite() : NO_SITE;
    const host = await this.host();
    this.#started = host;
    this.#waiting++;
    let granted: boolean;
    try {
      granted = await host.session.acquire(this.#options.pool.acquireTimeoutMillis);
    } finally {
      this.#waiting--;
    }
    if (!granted) throw this.#timeoutError();
    this.#locked = true;
    let connection: PostgresConnection;
    try {
      if (this.#closing !== undefined) throw new EngineDisposedError();
      // A connection that broke inside a transaction left it open in the instance.
      if (host.pglite.isInTransaction()) await host.pglite.exec("rollback");
      connection = this.#connection ?? (await this.#connect(host));
    } catch (error) {
      this.#unlock(host);
      throw error;
    }
    connection.checkouts++;
    this.#tracker.checkout(connection, site);
    this.#instrumentation.emit("checkout", { connectionId: connection.id });
    return connection;
  }

  release(connection: PostgresConnection): MaybePromise<void> {
    if (!this.#tracker.checkin(connection)) return;
    this.#instrumentation.emit("checkin", { connectionId: connection.id });
    if (connection.broken) return this.#discard(connection, "error");
    if (connection.inTransaction) return this.#releaseDirty(connection);
    if (connection.hasEvictedStatements) return connection.deallocateEvicted().then(() => this.#unlockNow());
    this.#unlockNow();
  }

  destroy(connection: PostgresConnection): MaybePromise<void> {
    if (!this.#tracker.checkin(connection)) return;
    this.#instrumentation.emit("checkin", { connectionId: connection.id });
    return this.#discard(connection, "error");
  }

  status(): PoolStatus {
    const total = this.#connection === undefined ? 0 : 1;
    const checkedOut = this.#tracker.size;
    return {
      size: 1,
      total,
      checkedOut,
      idle: total - checkedOut,
      overflow: 0,
      waiting: this.#waiting,
      created: this.#created,
      destroyed: this.#destroyed,
      timeouts: this.#timeouts,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const deadline = Date.now() + this.#options.pool.disposeGraceMillis;
    while (this.#tracker.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    this.#tracker.stop();
    const held = this.#tracker.drain();
    const host = await this.#host?.catch(() => undefined);
    if (host === undefined) return;
    const connection = this.#connection;
    if (connection !== undefined) {
      // Still checked out after the grace period: its transaction is rolled back under its holder.
      if (held.length > 0 && connection.inTransaction) await connection.rollback().catch(() => undefined);
      await this.#end(connection, "dispose");
    }
    if (this.#locked) this.#unlock(host);
    await releasePgliteHost(host);
  }

  async #connect(host: PgliteHost): Promise<PostgresConnection> {
    const { pg: driver } = this.#drivers;
    const client = new driver.Client({
      connection: new PgliteProtocolConnection(host.pglite, this.#drivers.protocol),
      types: postgresTypeParsers(driver),
    } as pg.ClientConfig) as pg.PoolClient;
    const { prepareStatements, statementCacheSize, postgres } = this.#options;
    const connection = new PostgresConnection(this.#nextId++, client, driver.Query, this.#instrumentation, prepareStatements, statementCacheSize, 0, this.#decoders);
    client.on("error", (error) => {
      if (connection.broken) return;
      connection.broken = true;
      this.#instrumentation.error(mapPostgresError(error), undefined);
    });
    try {
      await client.connect();
    } catch (error) {
      throw mapPostgresConnectError(error);
    }
    try {
      if (postgres.onConnect !== undefined) await postgres.onConnect(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new ConnectHookError(`postgres.onConnect failed: ${(error as Error).message}`, { cause: error });
    }
    connection.initialized = true;
    this.#connection = connection;
    this.#created++;
    this.#instrumentation.emit("connect", { connectionId: connection.id });
    return connection;
  }

  async #releaseDirty(connection: PostgresConnection): Promise<void> {
    this.#instrumentation.warn("dirty", `connection ${connection.id} was returned inside an open transaction; rolling it back`);
    try {
      await connection.rollback();
    } catch {
      return this.#discard(connection, "dirty");
    }
    this.#unlockNow();
  }

  async #discard(connection: PostgresConnection, reason: DisconnectReason): Promise<void> {
    await this.#end(connection, reason);
    this.#unlockNow();
  }

  async #end(connection: PostgresConnection, reason: DisconnectReason): Promise<void> {
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    await connection.client.end().catch(() => undefined);
    this.#destroyed++;
    this.#instrumentation.emit("disconnect", { connectionId: connection.id, reason });
  }

  #unlockNow(): void {
    if (this.#started !== undefined) this.#unlock(this.#started);
  }

  #unlock(host: PgliteHost): void {
    if (!this.#locked) return;
    this.#locked = false;
    host.session.release();
  }

  #timeoutError(): PoolTimeoutError {
    this.#timeouts++;
    const status = this.status();
    return new PoolTimeoutError(
      `could not get the PGlite connection within ${this.#options.pool.acquireTimeoutMillis} ms (pool: ${formatPoolStatus(status)}). ` +
        `PGlite runs one session at a time. Longest-running checkouts:\n${this.#tracker.describeOldest(3)}\n` +
        "One old checkout that never ends is a leak (a session not closed); many young ones are load.",
      status,
    );
  }
}
