// A test that swaps the factory: the app under test gets a sandbox's sessions (node:test; vitest alike).
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, test } from "node:test";
import { createEngine } from "athanor";
import { initializeDatabase } from "athanor/schema";
import { useSandbox } from "athanor/testing";
import { buildApp } from "./fastify-app.js";
import { schema } from "./fastify-schema.js";

// #region test
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
before(() => initializeDatabase(engine, schema));
after(() => engine.dispose());
const sandbox = useSandbox(engine, { beforeEach, afterEach }); // each test's writes are rolled back after it

test("POST /users answers 201 once the user is committed", async () => {
  const app = buildApp({ sessions: sandbox.sessions }); // no monkey-patching: the factory is a parameter
  const response = await app.inject({ method: "POST", url: "/users", payload: { email: "ada@example.com", name: "Ada" } });
  assert.equal(response.statusCode, 201);
  const users = await sandbox.db.selectFrom("users").select("email").execute();
  assert.deepEqual(users, [{ email: "ada@example.com" }]);
  await app.close();
});

test("a duplicate email is a 409 and leaves one user", async () => {
  const app = buildApp({ sessions: sandbox.sessions });
  const payload = { email: "ada@example.com", name: "Ada" };
  await app.inject({ method: "POST", url: "/users", payload });
  const response = await app.inject({ method: "POST", url: "/users", payload });
  assert.equal(response.statusCode, 409);
  assert.equal(response.json().code, "UNIQUE_VIOLATION");
  assert.equal((await sandbox.db.selectFrom("users").selectAll().execute()).length, 1);
  await app.close();
});
// #endregion test
