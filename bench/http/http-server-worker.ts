import type { HttpServer } from "./http-contender.js";
import { httpContenders } from "./http-contender-registry.js";
import type { HttpWorkerReply, HttpWorkerRequest } from "./http-worker-protocol.js";

/**
 * One HTTP contender's server in a process of its own (started by `bench-http.ts`), listening
 * on loopback; the load generator runs in the bench's process, so the server's CPU time is
 * its own.
 */
let server: HttpServer | undefined;
let mark = process.cpuUsage();

process.on("message", (request: HttpWorkerRequest) => {
  handle(request).then(
    (reply) => process.send!(reply),
    (error: unknown) => process.send!({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies HttpWorkerReply),
  );
});

async function handle(request: HttpWorkerRequest): Promise<HttpWorkerReply> {
  switch (request.type) {
    case "start": {
      const contender = httpContenders.find((candidate) => candidate.dialect === request.target.dialect && candidate.name === request.contender);
      if (contender === undefined) throw new Error(`no HTTP contender "${request.contender}" for ${request.target.dialect}`);
      server = await contender.build(request.target);
      return { type: "listening", url: await server.app.listen({ port: 0, host: "127.0.0.1" }) };
    }
    case "mark":
      mark = process.cpuUsage();
      return { type: "marked" };
    case "cpu": {
      const used = process.cpuUsage(mark);
      return { type: "cpu", micros: used.user + used.system };
    }
    case "close":
      await server?.close();
      server = undefined;
      setImmediate(() => process.disconnect());
      return { type: "closed" };
  }
}
