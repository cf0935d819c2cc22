import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * What a proxied connection does with the bytes it is given:
 * - `relay`: forwards them (the default);
 * - `delay`: forwards each chunk after a fixed delay (a slow link; order is kept);
 * - `stall`: holds them, both ways, until `resume()` (a server or path that stopped answering
 *   while TCP stays up: the client's writes are acknowledged, nothing comes back);
 * - `blackhole`: drops them, both ways, and swallows closes (a peer that vanished without a
 *   reset: the client waits for TCP to give up);
 * - `half-open`: the server's bytes and close stop reaching the client, and the client's next
 *   write is answered with a reset (a NAT or firewall that forgot the connection).
 */
export type FaultMode = "relay" | "delay" | "stall" | "blackhole" | "half-open";

/** Counters shared by a proxy's connections. */
interface Traffic {
  clientChunks: number;
}

/** One client connection relayed by a {@link FaultProxy}, with the faults it can be given. */
export class ProxiedConnection {
  readonly #client: Socket;
  readonly #upstream: Socket;
  #mode: FaultMode = "relay";
  #delayMillis = 0;
  #resetBudget: number | undefined;
  #held: Array<{ to: Socket; chunk: Buffer }> = [];
  #closeHeld = false;
  /** The first bytes the client sent, as Latin-1 text (PostgreSQL's startup message names the user, database and application). */
  startup = "";

  constructor(client: Socket, upstream: Socket, traffic: Traffic, onClose: () => void) {
    this.#client = client;
    this.#upstream = upstream;
    client.on("data", (chunk: Buffer) => {
      traffic.clientChunks++;
      if (this.startup === "") this.startup = chunk.toString("latin1");
      this.#forward(chunk, upstream);
    });
    upstream.on("data", (chunk: Buffer) => this.#forward(chunk, client));
    upstream.on("close", () => {
      if (this.#mode === "stall") this.#closeHeld = true;
      else if (this.#mode === "relay" || this.#mode === "delay") client.destroy();
    });
    client.on("close", () => {
      upstream.destroy();
      onClose();
    });
    // Resets and closed peers are what this proxy is for; they are not test failures.
    client.on("error", () => {});
    upstream.on("error", () => {});
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  /** True when the client's startup message contains `text` (e.g. an application_name). */
  matches(text: string): boolean {
    return this.startup.includes(text);
  }

  stall(): void {
    this.#mode = "stall";
  }

  blackhole(): void {
    this.#mode = "blackhole";
  }

  halfOpen(): void {
    this.#mode = "half-open";
  }

  /** Forwards every chunk `millis` late. */
  delay(millis: number): void {
    this.#mode = "delay";
    this.#delayMillis = millis;
  }

  /** Relays `bytes` more bytes (both directions together), then resets the connection mid-stream. */
  resetAfterBytes(bytes: number): void {
    this.#resetBudget = bytes;
    if (bytes === 0) this.reset();
  }

  /** Back to relaying; what a stall held is delivered now, in order (a held close too). */
  resume(): void {
    this.#mode = "relay";
    for (const { to, chunk } of this.#held.splice(0)) this.#write(chunk, to);
    if (this.#closeHeld) this.#client.destroy();
  }

  /** Resets the client's side and closes the server's at once. */
  reset(): void {
    this.#client.resetAndDestroy();
    this.#upstream.destroy();
  }

  #forward(chunk: Buffer, to: Socket): void {
    switch (this.#mode) {
      case "relay":
        return this.#write(chunk, to);
      case "delay":
        setTimeout(() => this.#write(chunk, to), this.#delayMillis);
        return;
      case "stall":
        this.#held.push({ to, chunk });
        return;
      case "blackhole":
        return;
      case "half-open":
        if (to === this.#upstream) this.reset();
        return;
    }
  }

  #write(chunk: Buffer, to: Socket): void {
    if (to.destroyed) return;
    const budget = this.#resetBudget;
    if (budget === undefined || chunk.length < budget) {
      if (budget !== undefined) this.#resetBudget = budget - chunk.length;
      to.write(chunk);
      return;
    }
    to.write(chunk.subarray(0, budget), () => this.reset());
    this.#resetBudget = 0;
  }
}

/**
 * A TCP proxy on 127.0.0.1 (random port) between an engine and PostgreSQL that injects
 * network faults into the connections it relays: stall, blackhole, half-open, reset after N
 * bytes, delay. Faults are per connection (find one by its startup message) or for every
 * connection relayed now; connections accepted later relay normally. That makes "the pool
 * holds a connection that no longer answers" a deterministic state instead of a race.
 *
 * @example
 * ```ts
 * const proxy = await FaultProxy.start("127.0.0.1", 5432);
 * const engine = createEngine(proxy.rewrite(database.url));
 * // … warm the pool, then:
 * proxy.stallAll();
 * proxy.matching("athanor-migrate")[0]?.blackhole();
 * await proxy.close();
 * ```
 */
export class FaultProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #connections: Set<ProxiedConnection>;
  readonly #traffic: Traffic;

  private constructor(server: Server, port: number, connections: Set<ProxiedConnection>, traffic: Traffic) {
    this.#server = server;
    this.port = port;
    this.#connections = connections;
    this.#traffic = traffic;
  }

  static async start(targetHost: string, targetPort: number): Promise<FaultProxy> {
    const connections = new Set<ProxiedConnection>();
    const traffic: Traffic = { clientChunks: 0 };
    const server = createServer((client) => {
      const proxied: ProxiedConnection = new ProxiedConnection(client, connect(targetPort, targetHost), traffic, () => connections.delete(proxied));
      connections.add(proxied);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("the proxy did not get a TCP port");
    return new FaultProxy(server, address.port, connections, traffic);
  }

  /** `url` with host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = "127.0.0.1";
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /**
   * Chunks of bytes received from clients so far. A client that waits for each answer before
   * writing again (pg outside its pipeline mode) sends one chunk per round trip.
   */
  get clientChunks(): number {
    return this.#traffic.clientChunks;
  }

  /** The connections relayed now, oldest first. */
  get connections(): readonly ProxiedConnection[] {
    return [...this.#connections];
  }

  /** The connections whose startup message contains `text` (an application_name, a database name). */
  matching(text: string): ProxiedConnection[] {
    return this.connections.filter((connection) => connection.matches(text));
  }

  /** Makes every connection relayed now half-open (see {@link FaultMode}); returns how many were relaying. */
  halfOpenAll(): number {
    return this.#all((connection) => connection.halfOpen());
  }

  /** Blackholes every connection relayed now; returns how many were relaying. */
  blackholeAll(): number {
    return this.#all((connection) => connection.blackhole());
  }

  /** Stalls every connection relayed now; returns how many were relaying. */
  stallAll(): number {
    return this.#all((connection) => connection.stall());
  }

  /** Resets every relayed connection and stops listening. */
  async close(): Promise<void> {
    for (const connection of this.#connections) connection.reset();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #all(fault: (connection: ProxiedConnection) => void): number {
    let count = 0;
    for (const connection of this.#connections) {
      if (connection.mode === "relay") count++;
      fault(connection);
    }
    return count;
  }
}
