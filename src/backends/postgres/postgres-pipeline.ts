import type { CompiledQuery, QueryResult } from "kysely";
import type pg from "pg";
import { ConfigurationError, ConnectHookError, EngineDisposedError } from "../../errors.js";
import type { ResolvedEngineOptions } from "../../engine/engine-options.js";
import type { Instrumentation } from "../../engine/instrumentation.js";
import type { DisconnectReason } from "../../engine/engine-events.js";
import { copyRowsOf } from "../copy-rows.js";
import type { StatementPipeline } from "../statement-pipeline.js";
import { PostgresConnection } from "./postgres-connection.js";
import { mapPostgresConnectError, mapPostgresError } from "./postgres-error-mapper.js";
import type { PostgresRowDecoders } from "./postgres-row-decoders.js";

/** What the query builder makes: one statement, no transaction control, no session state. */
const BUILDER_STATEMENTS = new Set(["SelectQueryNode", "InsertQueryNode", "UpdateQueryNode", "DeleteQueryNode", "MergeQueryNode"]);
/** Upper bound for a pipelined connection to close at dispose (a peer that never answers must not hang it). */
const SOCKET_CLOSE_MILLIS = 5_000;

/** One pipelined connection: a `pg.Client` in pipeline mode behind Athanor's connection behaviour. */
interface Lane {
  ready: Promise<PostgresConnection>;
  connection: PostgresConnection | undefined;
  inFlight: number;
  /** Why it left rotation (it closes once its statements in flight are answered); undefined while in rotation. */
  retired: DisconnectReason | undefined;
}

/**
 * `postgres.pipeline`: autocommit statements of the engine's query builder, written to up to
 * `connections` shared `pg.Client`s in pipeline mode (pg 8.23+). Each statement carries its own
 * Sync, so one that fails fails alone, and goes to the connection with the fewest statements in
 * flight; a connection is opened only when every open one is busy. The connections are the
 * pool's (closed with it, reported in its status and events) but never checked out: a
 * transaction, `db.connection()`, a stream or raw SQL still takes a pooled connection.
 *
 * What shares a connection shares its fate: a statement behind a slow one waits for it
 * (head-of-line blocking), and a connection lost, or destroyed after `queryTimeoutMillis`,
 * fails every statement in flight on it with `ConnectionLostError`. The next statement opens a
 * new connection.
 */
export class PostgresPipeline implements StatementPipeline {
  readonly #driver: typeof pg;
  readonly #config: pg.ClientConfig;
  readonly #options: ResolvedEngineOptions;
  readonly #instrumentation: Instrumentation;
  readonly #decoders: PostgresRowDecoders | undefined;
  readonly #limit: number;
  readonly #lanes: Lane[] = [];
  /** Every connection not yet closed, retired ones included, for close(). */
  readonly #open = new Set<pg.Client>();
  /** Statements accepted and not yet answered, on every lane (retired ones included). */
  #inFlight = 0;
  /** Set by close() while it waits for the statements in flight. */
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(driver: typeof pg, config: pg.ClientConfig, options: ResolvedEngineOptions, instrumentation: Instrumentation, decoders: PostgresRowDecoders | undefined) {
    this.#driver = driver;
    this.#config = { ...config, connectionTimeoutMillis: options.pool.acquireTimeoutMillis };
    this.#options = options;
    this.#instrumentation = instrumentation;
    this.#decoders = decoders;
    this.#limit = options.postgres.pipeline;
    // pg before 8.23 ignores the option and would queue every statement on one connection.
    const probe = new driver.Client({ pipeline: true } as pg.ClientConfig) as pg.Client & { pipeline?: boolean };
    if (probe.pipeline !== true) {
      throw new ConfigurationError("option postgres.pipeline needs pg 8.23 or later (its pipeline mode); the installed pg ignores it. Upgrade pg, or leave postgres.pipeline at 0");
    }
  }

  accepts(compiledQuery: CompiledQuery): boolean {
    return this.#closing === undefined && BUILDER_STATEMENTS.has(compiledQuery.query.kind) && copyRowsOf(compiledQuery.parameters) === undefined;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const lane = this.#choose();
    lane.inFlight++;
    this.#inFlight++;
    try {
      const connection = lane.connection ?? (await lane.ready);
      return await connection.executeQuery<R>(compiledQuery);
    } finally {
      lane.inFlight--;
      this.#inFlight--;
      this.#tidy(lane);
      if (this.#inFlight === 0) this.#drained?.();
    }
  }

  status(): { readonly connections: number; readonly inFlight: number } {
    return { connections: this.#open.size, inFlight: this.#inFlight };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** The open lane with the fewest statements in flight; a new one while every open lane is busy and the limit allows. */
  #choose(): Lane {
    if (this.#closing !== undefined) throw new EngineDisposedError();
    let chosen: Lane | undefined;
    // Backwards: retiring a lane removes it from the list.
    for (let index = this.#lanes.length - 1; index >= 0; index--) {
      const lane = this.#lanes[index]!;
      if (this.#expired(lane)) {
        this.#retire(lane, "recycle");
        continue;
      }
      if (chosen === undefined || lane.inFlight <= chosen.inFlight) chosen = lane;
    }
    if (chosen !== undefined && (chosen.inFlight === 0 || this.#lanes.length >= this.#limit)) return chosen;
    return this.#openLane();
  }

  #openLane(): Lane {
    const client = new this.#driver.Client({ ...this.#config, pipeline: true } as pg.ClientConfig);
    this.#open.add(client);
    const lane: Lane = { ready: Promise.resolve(undefined as never), connection: undefined, inFlight: 0, retired: undefined };
    lane.ready = this.#connect(client, lane);
    // Every caller awaits `ready`; this keeps a failed connect from also being an unhandled rejection.
    lane.ready.catch(() => undefined);
    this.#lanes.push(lane);
    return lane;
  }

  async #connect(client: pg.Client, lane: Lane): Promise<PostgresConnection> {
    const { prepareStatements, statementCacheSize, postgres } = this.#options;
    const connection = new PostgresConnection(
      this.#instrumentation.nextConnectionId(),
      client as unknown as pg.PoolClient,
      this.#driver.Query,
      this.#instrumentation,
      prepareStatements,
      statementCacheSize,
      postgres.queryTimeoutMillis,
      this.#decoders,
    );
    // Without a listener an 'error' would crash the process; a dying connection may report several.
    client.on("error", (error) => {
      if (connection.broken) return;
      connection.broken = true;
      this.#instrumentation.error(mapPostgresError(error), undefined);
      this.#retire(lane, "error");
    });
    try {
      await client.connect();
    } catch (error) {
      this.#drop(lane);
      this.#open.delete(client);
      const mapped = mapPostgresConnectError(error);
      this.#instrumentation.error(mapped, undefined);
      throw mapped;
    }
    this.#instrumentation.emit("connect", { connectionId: connection.id });
    client.on("end", () => {
      connection.broken = true;
      this.#drop(lane);
      if (this.#open.delete(client)) this.#instrumentation.emit("disconnect", { connectionId: connection.id, reason: lane.retired ?? "error" });
    });
    if (postgres.onConnect !== undefined) {
      try {
        await postgres.onConnect(client);
      } catch (error) {
        lane.retired = "error";
        this.#drop(lane);
        void client.end().catch(() => undefined);
        throw new ConnectHookError(`postgres.onConnect failed: ${(error as Error).message}`, { cause: error });
      }
    }
    connection.initialized = true;
    lane.connection = connection;
    return connection;
  }

  /** After a statement: a broken connection leaves rotation; evicted statements are freed (DEALLOCATE queues behind what used them). */
  #tidy(lane: Lane): void {
    const connection = lane.connection;
    if (connection === undefined) return;
    if (connection.broken) {
      this.#retire(lane, "error");
      return;
    }
    if (connection.hasEvictedStatements) void connection.deallocateEvicted();
  }

  /** Takes a lane out of rotation and closes its connection once what is in flight on it has been answered. */
  #retire(lane: Lane, reason: DisconnectReason): void {
    if (lane.retired !== undefined) return;
    lane.retired = reason;
    this.#drop(lane);
    void lane.ready.then(
      (connection) => connection.client.end().catch(() => undefined),
      () => undefined,
    );
  }

  #drop(lane: Lane): void {
    const index = this.#lanes.indexOf(lane);
    if (index !== -1) this.#lanes.splice(index, 1);
  }

  #expired(lane: Lane): boolean {
    const recycle = this.#options.pool.recycleMillis;
    return recycle > 0 && lane.connection !== undefined && performance.now() - lane.connection.createdAt >= recycle;
  }

  /**
   * Takes every lane out of rotation, waits (up to `disposeGraceMillis`) until the statements in
   * flight are answered (those still waiting for their connection to open included), then ends
   * the connections; a peer that does not answer the goodbye is cut off after a few seconds.
   */
  async #close(): Promise<void> {
    for (const lane of this.#lanes) lane.retired = "dispose";
    this.#lanes.length = 0;
    if (this.#inFlight > 0) {
      const drained = new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
      await withinMillis(drained, Math.max(this.#options.pool.disposeGraceMillis, 0));
    }
    const clients = [...this.#open];
    // pg ends a pipelined client after the statements already written have been answered.
    const ended = Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    if ((await withinMillis(ended, SOCKET_CLOSE_MILLIS)) === "late") {
      for (const client of clients) (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  }
}

/** Waits for `work`, or `millis`, whichever comes first. */
async function withinMillis(work: Promise<unknown>, millis: number): Promise<"done" | "late"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), millis);
  });
  try {
    return await Promise.race([work.then(() => "done" as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
