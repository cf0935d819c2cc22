import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { httpErrorOf } from "athanor/fastify";
import { idParams, type IdParams } from "../routes/route-schemas.js";
import type { MessageRelay } from "./message-relay.js";

/** Options of {@link conversationSocket}. */
export interface ConversationSocketOptions {
  /** Delivers committed messages to the clients other processes hold (the workers of a cluster). */
  readonly relay?: MessageRelay | undefined;
}

/** What a client sends: a message's text, or `{ "role": "user", "content": "…" }`. */
interface IncomingMessage {
  role: string;
  content: string;
  thinking?: string | null;
}

/**
 * `GET /ws/conversations/:id` (seed 000's WebSocket): every client of a conversation hears
 * the messages the others post. Each incoming message is handled in a fresh session of its
 * own (seed 000's `get_websocket_session`: `app.athanor.sessions.run`), committed before
 * anyone hears of it: the sender's `ack` and the others' `message` go out in `afterCommit`,
 * so a message that rolls back reaches nobody (the sender gets an `error`). Messages from one
 * client are stored in the order sent. In a cluster each worker holds its own clients: the
 * `relay` carries committed messages to the other workers' clients. At shutdown, the app's
 * close waits for the messages being stored.
 *
 * @example
 * ```ts
 * await app.register(websocket);
 * await app.register(conversationSocket);
 * // client: new WebSocket("ws://127.0.0.1:3000/ws/conversations/<id>").send("hello")
 * ```
 */
export async function conversationSocket(app: FastifyInstance, options: ConversationSocketOptions = {}): Promise<void> {
  const rooms = new Map<string, Set<WebSocket>>();
  const storing = new Set<Promise<void>>();
  const unsubscribe = options.relay?.subscribe(({ conversationId, message }) => {
    for (const peer of rooms.get(conversationId) ?? []) send(peer, { type: "message", message });
  });

  app.get<{ Params: IdParams }>("/ws/conversations/:id", { websocket: true, schema: { params: idParams } }, (socket, request) => {
    const conversationId = request.params.id;
    const room = rooms.get(conversationId) ?? rooms.set(conversationId, new Set()).get(conversationId)!;
    room.add(socket);
    socket.on("close", () => {
      room.delete(socket);
      if (room.size === 0 && rooms.get(conversationId) === room) rooms.delete(conversationId);
    });

    let queue: Promise<void> = Promise.resolve(); // one client's messages, stored in the order sent
    socket.on("message", (data) => {
      const store = queue.then(() => storeMessage(String(data)));
      queue = store;
      storing.add(store);
      void store.finally(() => storing.delete(store));
    });

    async function storeMessage(text: string): Promise<void> {
      const incoming = parse(text);
      if (incoming === undefined) return send(socket, { type: "error", statusCode: 400, code: "INVALID_MESSAGE", message: 'send text, or JSON { "role", "content" }' });
      try {
        await app.athanor.sessions.run(async (db) => {
          const message = await db
            .insertInto("messages")
            .values({ conversation_id: conversationId, role: incoming.role, content: incoming.content, thinking: incoming.thinking ?? null })
            .returningAll()
            .executeTakeFirstOrThrow();
          db.afterCommit(() => {
            send(socket, { type: "ack", message });
            for (const peer of room) if (peer !== socket) send(peer, { type: "message", message });
            options.relay?.publish({ conversationId, message });
          });
        });
      } catch (error) {
        const answer = httpErrorOf(error); // an unknown conversation: 409 FOREIGN_KEY_VIOLATION
        if (answer === undefined) request.log.error({ err: error }, "websocket message failed");
        send(socket, { type: "error", ...(answer?.body ?? { statusCode: 500, code: "INTERNAL", message: "the message was not stored" }) });
      }
    }
  });

  app.addHook("onClose", async () => {
    while (storing.size > 0) await Promise.allSettled([...storing]);
    unsubscribe?.();
  });
}

function parse(text: string): IncomingMessage | undefined {
  if (!text.trimStart().startsWith("{")) return text.length > 0 ? { role: "user", content: text } : undefined;
  try {
    const value = JSON.parse(text) as Partial<IncomingMessage>;
    if (typeof value.content !== "string" || (value.role !== undefined && typeof value.role !== "string")) return undefined;
    if (value.thinking !== undefined && value.thinking !== null && typeof value.thinking !== "string") return undefined;
    return { role: value.role ?? "user", content: value.content, thinking: value.thinking ?? null };
  } catch {
    return undefined;
  }
}

function send(socket: WebSocket, payload: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
}
