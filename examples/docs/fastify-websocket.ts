// The chat of fastify-chat.ts, served: two clients on one agent's chat, one speaks, both hear it once committed.
import websocket from "@fastify/websocket";
import Fastify from "fastify";
import WebSocket from "ws";
import { createEngine, createSessionFactory } from "athanor";
import { initializeDatabase } from "athanor/schema";
import { athanorPlugin } from "athanor/fastify";
import { chat } from "./fastify-chat.js";
import { schema } from "./fastify-schema.js";

const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
await initializeDatabase(engine, schema);
const sessions = createSessionFactory(engine);
const owner = await engine.db.insertInto("users").values({ email: "ada@example.com", name: "Ada" }).returning("id").executeTakeFirstOrThrow();
const agent = await engine.db.insertInto("agents").values({ ownerId: owner.id, name: "scout", schedule: null }).returning("id").executeTakeFirstOrThrow();

// #region register
const app = Fastify();
await app.register(athanorPlugin, { sessions });
await app.register(websocket);
await app.register(chat);
// #endregion register

// Two clients on the agent's chat; one speaks, both hear it once it is committed.
const address = await app.listen({ port: 0, host: "127.0.0.1" });
const connect = (): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const client = new WebSocket(`${address.replace("http", "ws")}/agents/${agent.id}/chat`);
    client.once("open", () => resolve(client)).once("error", reject);
  });
const [alice, bob] = await Promise.all([connect(), connect()]);
const heard = Promise.all([alice, bob].map((client) => new Promise<string>((resolve) => client.once("message", (data) => resolve(String(data))))));
alice.send("hello");
console.log((await heard).map((text) => JSON.parse(text).body)); // [ "hello", "hello" ]
alice.terminate();
bob.terminate();
await app.close();
await engine.dispose();
