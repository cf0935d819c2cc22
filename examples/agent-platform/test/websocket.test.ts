import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, createSessionFactory } from "athanor";
import { useSandbox } from "athanor/testing";
import { buildApp } from "../src/build-app.js";
import { schema } from "../src/schema.js";
import { factories } from "./support/factories.js";
import { DIALECTS, freshDatabase, useMigratedDatabase } from "./support/migrated-database.js";
import type { MessageRelay, RelayedMessage } from "../src/websocket/message-relay.js";
import { connectSocket, type SocketClient } from "./support/socket-client.js";
import { useTestApp } from "./support/test-app.js";

describe.each(DIALECTS)("WebSocket /ws/conversations/:id [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  const api = useTestApp(sandbox, { migrations: false });
  const clients: SocketClient[] = [];
  let base: string;
  beforeEach(async () => {
    base = (await api.app.listen({ host: "127.0.0.1", port: 0 })).replace(/^http/, "ws");
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  const connect = async (conversationId: string) => {
    const client = await connectSocket(`${base}/ws/conversations/${conversationId}`);
    clients.push(client);
    return client;
  };

  it("stores each message in its own session; the sender gets an ack, the others the message, the sender never its own", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const [alice, bob, carol] = await Promise.all([connect(conversation.id), connect(conversation.id), connect(conversation.id)]);
    alice!.send({ role: "user", content: "hello", thinking: "greeting first" });
    const ack = await alice!.next();
    expect(ack).toMatchObject({ type: "ack", message: { conversation_id: conversation.id, role: "user", content: "hello", thinking: "greeting first" } });
    for (const peer of [bob!, carol!]) expect(await peer.next()).toEqual({ type: "message", message: ack.message });
    expect(await alice!.silentFor(100)).toBe(true);
    bob!.send("plain text is a user message");
    expect(await bob!.next()).toMatchObject({ type: "ack", message: { role: "user", content: "plain text is a user message" } });
    expect((await alice!.next()).message.content).toBe("plain text is a user message");
    const stored = await sandbox.db.selectFrom("messages").select("content").where("conversation_id", "=", conversation.id).orderBy("content").execute();
    expect(stored.map((row) => row.content)).toEqual(["hello", "plain text is a user message"]);
  });

  it("keeps rooms apart: a conversation's clients hear only their conversation", async () => {
    const [first, second] = await factories.conversations.createList(sandbox.db, 2);
    const [here, there] = await Promise.all([connect(first!.id), connect(second!.id)]);
    const alsoHere = await connect(first!.id);
    here!.send("for the first");
    await here!.next();
    expect((await alsoHere.next()).message.content).toBe("for the first");
    expect(await there!.silentFor(150)).toBe(true);
  });

  it("a message that fails tells its sender only (an unknown conversation: 409), and nothing is stored", async () => {
    const ghost = "00000000-0000-4000-8000-000000000000";
    const [sender, listener] = await Promise.all([connect(ghost), connect(ghost)]);
    sender!.send("into the void");
    expect(await sender!.next()).toMatchObject({ type: "error", statusCode: 409, code: "FOREIGN_KEY_VIOLATION" });
    expect(await listener!.silentFor(150)).toBe(true); // the rolled-back message reached nobody
    expect(await sandbox.db.selectFrom("messages").selectAll().execute()).toEqual([]);
  });

  it("answers a malformed frame with an error and keeps the connection", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const client = await connect(conversation.id);
    for (const frame of ['{"role": "user"}', "{not json", '{"content": 42}']) {
      client.send(frame);
      expect(await client.next()).toMatchObject({ type: "error", statusCode: 400, code: "INVALID_MESSAGE" });
    }
    client.send("still here");
    expect(await client.next()).toMatchObject({ type: "ack" });
  });

  it("stores one client's messages in the order sent", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const client = await connect(conversation.id);
    for (let i = 0; i < 20; i++) client.send({ role: "user", content: `#${i}` });
    const acks = [];
    for (let i = 0; i < 20; i++) acks.push((await client.next()).message.content);
    expect(acks).toEqual(Array.from({ length: 20 }, (_, i) => `#${i}`));
  });

  it("refuses a malformed conversation id before the upgrade (400)", async () => {
    await expect(connectSocket(`${base}/ws/conversations/not-a-uuid`)).rejects.toThrow(/400/);
  });
});

// Committed for real (no sandbox): when a peer hears of a message, another connection already sees it.
describe.each(DIALECTS)("WebSocket broadcasts after commit [%s]", (dialect) => {
  it("the peer's broadcast comes after the commit: an independent connection reads the row at once", async () => {
    const database = await freshDatabase(dialect === "postgres" ? "postgres" : "sqlite-file");
    const engine = createEngine(database.url, { schema });
    const reader = createEngine(database.url, { schema }); // its own connections
    const app = buildApp({ sessions: createSessionFactory(engine), migrations: false });
    try {
      const conversation = await factories.conversations.create(engine.db);
      const base = (await app.listen({ host: "127.0.0.1", port: 0 })).replace(/^http/, "ws");
      const [sender, peer] = await Promise.all([0, 1].map(() => connectSocket(`${base}/ws/conversations/${conversation.id}`)));
      for (let i = 0; i < 10; i++) {
        sender!.send(`durable ${i}`);
        const { message } = await peer!.next();
        const row = await reader.db.selectFrom("messages").select("content").where("id", "=", message.id).executeTakeFirst();
        expect(row).toEqual({ content: `durable ${i}` });
        await sender!.next();
      }
      sender!.close();
      peer!.close();
    } finally {
      await app.close();
      await Promise.all([engine.dispose(), reader.dispose()]);
      await database.drop();
    }
  });

  it("in a cluster, each worker holds its own clients: the relay carries a committed message to the others'", async () => {
    const database = await freshDatabase(dialect === "postgres" ? "postgres" : "sqlite-file");
    const engine = createEngine(database.url, { schema });
    const listeners: Array<((relayed: RelayedMessage) => void) | undefined> = [];
    const relay = (index: number): MessageRelay => ({
      publish: (relayed) => listeners.forEach((listener, other) => other !== index && listener?.(relayed)),
      subscribe: (listener) => ((listeners[index] = listener), () => (listeners[index] = undefined)),
    });
    const workers = [0, 1].map((index) => buildApp({ sessions: createSessionFactory(engine), migrations: false, relay: relay(index) })); // two "workers", one database
    try {
      const conversation = await factories.conversations.create(engine.db);
      const [first, second] = await Promise.all(workers.map(async (app) => (await app.listen({ host: "127.0.0.1", port: 0 })).replace(/^http/, "ws")));
      const here = await connectSocket(`${first}/ws/conversations/${conversation.id}`);
      const there = await connectSocket(`${second}/ws/conversations/${conversation.id}`);
      there.send("across workers");
      expect(await there.next()).toMatchObject({ type: "ack" });
      expect(await here.next()).toMatchObject({ type: "message", message: { content: "across workers" } });
      here.close();
      there.close();
    } finally {
      await Promise.all(workers.map((app) => app.close()));
      await engine.dispose();
      await database.drop();
    }
  });
});
