import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useSandbox } from "athanor/testing";
import { factories } from "./support/factories.js";
import { DIALECTS, useMigratedDatabase } from "./support/migrated-database.js";
import { useTestApp } from "./support/test-app.js";

const NOBODY = "00000000-0000-4000-8000-000000000000";

describe.each(DIALECTS)("conversations, personas and modules [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  const api = useTestApp(sandbox, { migrations: false });

  it("creates personas and modules (201), lists them (modules in stage order), refuses malformed ones (400)", async () => {
    expect(await api.request("POST", "/api/personas", { name: "Guide", template: "You guide." })).toMatchObject({ status: 201, body: { name: "Guide", is_active: true } });
    expect((await api.request("POST", "/api/personas", { name: "No template" })).status).toBe(400);
    await api.request("POST", "/api/modules", { name: "late", type: "simple", stage_priority: 200 });
    await api.request("POST", "/api/modules", { name: "early", type: "advanced", execution_context: "IMMEDIATE", stage_priority: 10, content: null });
    expect((await api.request("POST", "/api/modules", { name: "x", type: "simple", execution_context: "SOMETIMES" })).status).toBe(400);
    expect((await api.request("GET", "/api/modules")).body.items.map((module: { name: string }) => module.name)).toEqual(["early", "late"]);
    expect((await api.request("GET", "/api/personas")).body).toMatchObject({ total: 1, items: [{ name: "Guide" }] });
  });

  it("creates a conversation (201) and reads it with its persona and latest messages in one request", async () => {
    const persona = await factories.personas.create(sandbox.db, { first_message: "Hi!" });
    const created = await api.request("POST", "/api/conversations", { title: "Planning", persona_id: persona.id, provider_type: "demo", provider_config: { model: "small" } });
    expect(created).toMatchObject({ status: 201, body: { title: "Planning", persona_id: persona.id, provider_config: { model: "small" } } });
    await factories.messages.createList(sandbox.db, 25, { conversation_id: created.body.id });
    const read = await api.request("GET", `/api/conversations/${created.body.id}`);
    expect(read.body.persona).toEqual({ id: persona.id, name: persona.name, first_message: "Hi!" });
    expect(read.body.latest_messages).toHaveLength(20);
    expect((await api.request("GET", `/api/conversations/${NOBODY}`)).status).toBe(404);
  });

  it("refuses a conversation with an unknown persona (409) or without a title (400)", async () => {
    expect(await api.request("POST", "/api/conversations", { title: "x", persona_id: NOBODY })).toMatchObject({ status: 409, body: { code: "FOREIGN_KEY_VIOLATION" } });
    expect((await api.request("POST", "/api/conversations", { persona_id: null })).status).toBe(400);
    expect((await api.request("POST", "/api/conversations", { title: "x".repeat(256) })).status).toBe(400);
  });

  it("pages conversations, updates one, and a persona deleted leaves its conversations (SET NULL)", async () => {
    const persona = await factories.personas.create(sandbox.db);
    const [first] = await factories.conversations.createList(sandbox.db, 3, { persona_id: persona.id });
    expect((await api.request("GET", "/api/conversations?per_page=2")).body).toMatchObject({ total: 3, pages: 2 });
    expect(await api.request("PATCH", `/api/conversations/${first!.id}`, { title: "Renamed" })).toMatchObject({ status: 200, body: { title: "Renamed" } });
    expect((await api.request("PATCH", `/api/conversations/${NOBODY}`, { title: "x" })).status).toBe(404);
    await sandbox.db.deleteFrom("personas").where("id", "=", persona.id).execute();
    expect((await api.request("GET", `/api/conversations/${first!.id}`)).body).toMatchObject({ persona_id: null, persona: null });
  });

  it("deletes a conversation with its messages, memories and states (ON DELETE CASCADE, the .sql revision's fix)", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const message = await factories.messages.create(sandbox.db, { conversation_id: conversation.id });
    await factories.conversation_memory.create(sandbox.db, { conversation_id: conversation.id, first_message_id: message.id });
    await factories.conversation_states.create(sandbox.db, { conversation_id: conversation.id });
    expect((await api.request("DELETE", `/api/conversations/${conversation.id}`)).status).toBe(204);
    for (const table of ["messages", "conversation_memory", "conversation_states"] as const) expect(await sandbox.db.selectFrom(table).selectAll().execute()).toEqual([]);
    expect((await api.request("DELETE", `/api/conversations/${conversation.id}`)).status).toBe(404);
  });

  it("keeps one state per (conversation, persona, module, key): PUT upserts on the 4-column unique", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const persona = await factories.personas.create(sandbox.db);
    const module = await factories.modules.create(sandbox.db);
    const state = (key: string, value: unknown) => api.request("PUT", `/api/conversations/${conversation.id}/states`, { persona_id: persona.id, module_id: module.id, state_key: key, state_value: value });
    const first = await state("mood", { level: 1 });
    const second = await state("mood", { level: 2 });
    expect(second).toMatchObject({ status: 200, body: { id: first.body.id, state_value: { level: 2 } } });
    await state("topic", ["deploys"]);
    const listed = await api.request("GET", `/api/conversations/${conversation.id}/states`);
    expect(listed.body.items.map((row: { state_key: string; state_value: unknown }) => [row.state_key, row.state_value])).toEqual([
      ["mood", { level: 2 }],
      ["topic", ["deploys"]],
    ]);
    const orphan = await api.request("PUT", `/api/conversations/${conversation.id}/states`, { persona_id: persona.id, module_id: NOBODY, state_key: "k", state_value: 1 });
    expect(orphan).toMatchObject({ status: 409, body: { code: "FOREIGN_KEY_VIOLATION" } });
    expect((await api.request("PUT", `/api/conversations/${conversation.id}/states`, { persona_id: persona.id, module_id: module.id, state_key: "k" })).status).toBe(400);
  });
});
