import WebSocket from "ws";

/** A real WebSocket client on loopback that queues what it hears, parsed. */
export interface SocketClient {
  send(data: unknown): void;
  /** The next frame heard (waits up to `timeoutMillis`). */
  next(timeoutMillis?: number): Promise<any>;
  /** Resolves true when nothing is heard for `millis`. */
  silentFor(millis: number): Promise<boolean>;
  close(): void;
}

/** Connects to `url` (`ws://127.0.0.1:<port>/ws/conversations/<id>`). */
export function connectSocket(url: string): Promise<SocketClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const heard: unknown[] = [];
    const waiting: Array<(value: unknown) => void> = [];
    socket.on("message", (data) => {
      const value = JSON.parse(String(data));
      const waiter = waiting.shift();
      if (waiter) waiter(value);
      else heard.push(value);
    });
    socket.once("error", reject);
    socket.once("open", () =>
      resolve({
        send: (data) => socket.send(typeof data === "string" ? data : JSON.stringify(data)),
        next: (timeoutMillis = 5_000) =>
          heard.length > 0
            ? Promise.resolve(heard.shift())
            : new Promise((done, fail) => {
                const waiter = (value: unknown) => {
                  clearTimeout(timer);
                  done(value);
                };
                const timer = setTimeout(() => {
                  waiting.splice(waiting.indexOf(waiter), 1);
                  fail(new Error(`nothing heard on ${url} within ${timeoutMillis} ms`));
                }, timeoutMillis);
                waiting.push(waiter);
              }),
        silentFor: (millis) => new Promise((done) => setTimeout(() => done(heard.length === 0), millis)),
        close: () => socket.terminate(),
      }),
    );
  });
}
