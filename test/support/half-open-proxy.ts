import { createServer, connect, type Server, type Socket } from "node:net";

/** `half-open`: the server's side is gone and the client's next write is reset; `blackhole`: nothing ever arrives or answers. */
type RelayMode = "relay" | "half-open" | "blackhole";

interface Relay {
  readonly client: Socket;
  readonly upstream: Socket;
  mode: RelayMode;
}

/** Counters shared by a proxy's relays. */
interface Traffic {
  clientChunks: number;
}

/**
 * A TCP proxy on 127.0.0.1 (random port) between a pool and PostgreSQL that can turn the
 * connections it relays into half-open ones: the server's bytes and its close stop reaching
 * the client (a NAT or firewall that swallowed them), and the client's next write is answered
 * with a reset (or, in `blackhole` mode, silently dropped: the client waits for TCP to give
 * up). That makes "the pool holds a dead connection it does not know about" a
 * deterministic state instead of a race with the driver reading the server's FATAL message.
 *
 * @example
 * ```ts
 * const proxy = await HalfOpenProxy.start("127.0.0.1", 5432);
 * const engine = createEngine(proxy.rewrite(database.url));
 * // … warm the pool, then:
 * proxy.halfOpenAll();
 * await proxy.close();
 * ```
 */
export class HalfOpenProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #relays: Set<Relay>;
  readonly #traffic: Traffic;

  private constructor(server: Server, port: number, relays: Set<Relay>, traffic: Traffic) {
    this.#server = server;
    this.port = port;
    this.#relays = relays;
    this.#traffic = traffic;
  }

  static async start(targetHost: string, targetPort: number): Promise<HalfOpenProxy> {
    const relays = new Set<Relay>();
    const traffic: Traffic = { clientChunks: 0 };
    const server = createServer((client) => relays.add(relay(client, connect(targetPort, targetHost), relays, traffic)));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("the proxy did not get a TCP port");
    return new HalfOpenProxy(server, address.port, relays, traffic);
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

  /** Connections currently relayed. */
  get connections(): number {
    return this.#relays.size;
  }

  /**
   * Turns every connection relayed now (call it while the pool's connections are idle) into a
   * half-open one; connections accepted later relay normally. Returns how many were switched.
   */
  halfOpenAll(): number {
    return this.#switchAll("half-open");
  }

  /** Like {@link halfOpenAll}, but the client's writes are dropped too and never answered. */
  blackholeAll(): number {
    return this.#switchAll("blackhole");
  }

  /** Resets every relayed connection and stops listening. */
  async close(): Promise<void> {
    for (const relay of this.#relays) cut(relay);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #switchAll(mode: RelayMode): number {
    let count = 0;
    for (const relay of this.#relays) {
      if (relay.mode === "relay") count++;
      relay.mode = mode;
    }
    return count;
  }
}

function relay(client: Socket, upstream: Socket, relays: Set<Relay>, traffic: Traffic): Relay {
  const state: Relay = { client, upstream, mode: "relay" };
  client.on("data", (chunk) => {
    traffic.clientChunks++;
    if (state.mode === "relay") upstream.write(chunk);
    else if (state.mode === "half-open") cut(state);
  });
  upstream.on("data", (chunk) => {
    if (state.mode === "relay") client.write(chunk);
  });
  upstream.on("close", () => {
    if (state.mode === "relay") client.destroy();
  });
  client.on("close", () => {
    upstream.destroy();
    relays.delete(state);
  });
  // Resets and closed peers are what this proxy is for; they are not test failures.
  client.on("error", () => {});
  upstream.on("error", () => {});
  return state;
}

/** What the far end of a vanished connection does with the next packet: reset it. */
function cut(state: Relay): void {
  state.client.resetAndDestroy();
  state.upstream.destroy();
}
