// A WebSocket chat (@fastify/websocket): a fresh session per message, broadcasts once it is committed.
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { httpErrorOf } from "athanor/fastify";
import "./fastify-schema.js";

// #region websocket
export async function chat(app: FastifyInstance): Promise<void> {
  const listeners = new Map<string, Set<WebSocket>>(); // agent id → open sockets

  app.get<{ Params: { id: string } }>("/agents/:id/chat", { websocket: true }, (socket, request) => {
    const agentId = request.params.id;
    const peers = listeners.get(agentId) ?? listeners.set(agentId, new Set()).get(agentId)!;
    peers.add(socket);
    socket.on("close", () => peers.delete(socket));

    socket.on("message", (data) => {
      // One unit of work per message (seed 000's get_websocket_session): committed when the
      // callback returns, rolled back if it throws, always closed.
      app.athanor.sessions
        .run(async (db) => {
          const message = await db.insertInto("messages").values({ agentId, body: String(data) }).returning(["id", "body"]).executeTakeFirstOrThrow();
          db.afterCommit(() => {
            for (const peer of peers) peer.send(JSON.stringify(message)); // only once it is durable
          });
        })
        .catch((error: unknown) => socket.send(JSON.stringify(httpErrorOf(error)?.body ?? { message: "internal error" })));
    });
  });
}
// #endregion websocket
