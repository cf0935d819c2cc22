import { EventEmitter } from "node:events";
import type { PgliteInstance } from "./pglite-driver.js";

/** pg-protocol (a dependency of pg): the frontend message serializer pg itself uses on a socket. */
export interface PgProtocol {
  readonly serialize: Readonly<Record<"query" | "parse" | "bind" | "execute" | "describe" | "close" | "copyData" | "copyFail", (message: any) => Uint8Array>> &
    Readonly<Record<"flush" | "sync" | "copyDone", () => Uint8Array>>;
}

/** A backend message as PGlite parses it (pg's own message classes). */
interface BackendMessage {
  readonly name: string;
}

/**
 * The wire connection pg's `Client` talks through (in place of its socket), writing to a
 * PGlite instance in this process. Like a socket it pipelines: messages are serialised by
 * pg's own serializer and buffered until pg asks for an answer (`Sync`, `Flush`, a simple
 * query), then the whole pipeline goes to PGlite in one call, and the answers come back as
 * the events pg's client listens to. One call per statement instead of one per message is
 * about ten times faster than `@electric-sql/pglite/node-postgres`'s connection, and a Bind
 * whose values pg cannot serialise throws before anything of it is buffered.
 */
export class PgliteProtocolConnection extends EventEmitter {
  /** What pg's client reads and writes on a connection. */
  readonly parsedStatements: Record<string, string> = {};
  readonly submittedNamedStatements: Record<string, string> = {};
  readonly stream = { destroy: () => this.end() };
  _connecting = false;
  readonly #pglite: PgliteInstance;
  readonly #serialize: PgProtocol["serialize"];
  readonly #pending: Uint8Array[] = [];
  /** The calls to PGlite, one after the other. */
  #chain: Promise<unknown> = Promise.resolve();
  #ended = false;

  constructor(pglite: PgliteInstance, protocol: PgProtocol) {
    super();
    this.#pglite = pglite;
    this.#serialize = protocol.serialize;
  }

  connect(): void {
    this._connecting = true;
    process.nextTick(() => this.emit("readyForQuery"));
  }

  query(text: string): void {
    this.#send(this.#serialize.query(text));
  }
  parse(message: unknown): void {
    this.#pending.push(this.#serialize.parse(message));
  }
  bind(message: unknown): void {
    this.#pending.push(this.#serialize.bind(message));
  }
  execute(message: unknown): void {
    this.#pending.push(this.#serialize.execute(message));
  }
  describe(message: unknown): void {
    this.#pending.push(this.#serialize.describe(message));
  }
  close(message: unknown): void {
    this.#pending.push(this.#serialize.close(message));
  }
  flush(): void {
    this.#send(this.#serialize.flush());
  }
  sync(): void {
    this.#send(this.#serialize.sync());
  }
  sendCopyFromChunk(chunk: unknown): void {
    this.#send(this.#serialize.copyData(chunk));
  }
  endCopyFrom(): void {
    this.#send(this.#serialize.copyDone());
  }
  sendCopyFail(message: unknown): void {
    this.#send(this.#serialize.copyFail(message));
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#pending.length = 0;
    this.#chain = this.#chain.then(() => this.emit("end"));
  }

  // What pg calls on a socket's connection that has no meaning here.
  requestSsl(): void {}
  startup(): void {}
  password(): void {}
  cancel(): void {}
  ref(): void {}
  unref(): void {}

  #send(last: Uint8Array): void {
    if (this.#ended) return;
    this.#pending.push(last);
    const parts = this.#pending.splice(0);
    const message = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.#chain = this.#chain
      .then(() => this.#pglite.execProtocolStream(message, { throwOnError: false }))
      .then(
        (messages) => {
          for (const answer of messages as BackendMessage[]) this.emit(answer.name === "error" ? "errorMessage" : answer.name, answer);
        },
        (error: unknown) => this.emit("error", error),
      );
  }
}
