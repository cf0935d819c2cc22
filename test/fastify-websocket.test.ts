import { randomUUID } from "node:crypto";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import WebSocket from "ws";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { athanorPlugin } from "../src/integrations/fastify/index.js";
import { dropAll, initializeDatabase } from "../src/schema/index.js";
import { chat } from "../examples/docs/fastify-chat.js";
import { schema, type DB } from "../examples/docs/fastify-schema.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { waitUntil } from "./support/wait-until.js";

// The documented WebSocket chat (examples/docs/fastify-chat.ts) on a real socket: one session
// per message, a broadcast only after its commit, nothing broadcast for a message rolled back.
describeEachDialect("athanor/fastify: WebSocket messages (@fastify/websocket)", (dialect) => {
  let engine: Engine<DB>;
  let app: FastifyInstance;
  let address: string;
  let agentId: string;
  const checkouts: number[] = [];
  beforeAll(async () => {
    engine = createEngine(dialect.url(), { schema });
    await dropAll(engine, schema);
    await initializeDatabase(engine, schema);
    const owner = await engine.db.insertInto("users").values({ email: "ada@example.com", name: "Ada" }).returning("id").executeTakeFirstOrThrow();
    agentId = (await engine.db.insertInto("agents").values({ ownerId: owner.id, name: "scout", schedule: null }).returning("id").executeTakeFirstOrThrow()).id;
    app = Fastify();
    await app.register(athanorPlugin, { engine });
    await app.register(websocket);
    await app.register(chat);
    app.get("/touches-db", { websocket: true }, (socket, request) => {
      try {
        void request.db;
        socket.send("opened");
      } catch (error) {
        socket.send((error as Error).message);
      }
    });
    address = (await app.listen({ port: 0, host: "127.0.0.1" })).replace("http", "ws");
    engine.on("checkout", ({ connectionId }) => checkouts.push(connectionId));
  });
  afterAll(async () => {
    await app.close();
    await engine.dispose();
  });

  const connect = (path: string): Promise<{ socket: WebSocket; received: string[] }> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(`${address}${path}`);
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      socket.once("open", () => resolve({ socket, received })).once("error", reject);
    });

  it("each message is its own unit of work; every client hears it after its commit", async () => {
    const alice = await connect(`/agents/${agentId}/chat`);
    const bob = await connect(`/agents/${agentId}/chat`);
    checkouts.length = 0;
    for (const text of ["one", "two", "three"]) alice.socket.send(text);
    await waitUntil("both clients to hear three messages", () => alice.received.length === 3 && bob.received.length === 3);
    // Each message commits on its own, so on PostgreSQL they may commit (and be heard) in any order.
    expect(bob.received.map((text) => JSON.parse(text).body).sort()).toEqual(["one", "three", "two"]);
    expect(alice.received.sort()).toEqual(bob.received.sort());
    // One session per message: each took (at least) a checkout of its own.
    expect(checkouts.length).toBeGreaterThanOrEqual(3);
    const stored = await engine.db.selectFrom("messages").select("body").where("agentId", "=", agentId).orderBy("createdAt").execute();
    expect(stored.map((row) => row.body).sort()).toEqual(["one", "three", "two"]);
    alice.socket.terminate();
    bob.socket.terminate();
  });

  it("a message that fails is rolled back: the sender gets the error's body, nobody hears a broadcast", async () => {
    const missing = randomUUID();
    const sender = await connect(`/agents/${missing}/chat`);
    const listener = await connect(`/agents/${missing}/chat`);
    sender.socket.send("to nobody");
    await waitUntil("the sender's error", () => sender.received.length === 1);
    expect(JSON.parse(sender.received[0]!)).toMatchObject({ statusCode: 409, code: "FOREIGN_KEY_VIOLATION" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listener.received).toEqual([]);
    expect(await engine.db.selectFrom("messages").selectAll().where("agentId", "=", missing).execute()).toEqual([]);
    expect(engine.pool.status().checkedOut).toBe(0);
    sender.socket.terminate();
    listener.socket.terminate();
  });

  it("a WebSocket route has no request session: request.db says to open one per message", async () => {
    const client = await connect("/touches-db");
    await waitUntil("the answer", () => client.received.length === 1);
    expect(client.received[0]).toMatch(/WebSocket route has no request session.*sessions\.run\(\)/);
    client.socket.terminate();
  });
});
