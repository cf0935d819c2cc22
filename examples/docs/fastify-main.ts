// The server's entry point: the engine, the app, a few requests (app.listen in production).
import { randomUUID } from "node:crypto";
import { createEngine, createSessionFactory } from "athanor";
import { initializeDatabase } from "athanor/schema";
import { buildApp } from "./fastify-app.js";
import { schema } from "./fastify-schema.js";

// #region main
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
await initializeDatabase(engine, schema); // or: npx athanor upgrade head
const app = buildApp({ sessions: createSessionFactory(engine) });
// In production: await app.listen({ port: 3000 }). Here, requests through app.inject():

const ada = await app.inject({ method: "POST", url: "/users", payload: { email: "ada@example.com", name: "Ada" } });
console.log(ada.statusCode, ada.json()); // 201 { id: "…", email: "ada@example.com" }

const again = await app.inject({ method: "POST", url: "/users", payload: { email: "ada@example.com", name: "Ada" } });
console.log(again.statusCode, again.json()); // 409 { statusCode: 409, code: "UNIQUE_VIOLATION", error: "Conflict", message: "…" }

const agent = await app.inject({ method: "POST", url: `/users/${ada.json().id}/agents`, payload: { name: "scout" } });
console.log(agent.statusCode, (await app.inject(`/agents/${agent.json().id}`)).json().name); // 201 scout
console.log((await app.inject(`/agents/${randomUUID()}`)).statusCode); // 404
console.log((await app.inject("/agents.ndjson")).body.trim().split("\n").length); // 1
console.log((await app.inject("/health")).json().status, (await app.inject("/health/ready")).statusCode); // ok 200

await app.close(); // waits for the sessions of requests in flight
await engine.dispose(); // the app was given a factory: the engine is ours to dispose
// #endregion main
