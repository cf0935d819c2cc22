import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useSandbox } from "athanor/testing";
import { EMBEDDING_DIMENSIONS } from "../src/schema.js";
import { embedText } from "../src/services/embed-text.js";
import { factories } from "./support/factories.js";
import { DIALECTS, useMigratedDatabase } from "./support/migrated-database.js";
import { useTestApp } from "./support/test-app.js";

describe.each(DIALECTS)("conversation memory [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  const api = useTestApp(sandbox, { migrations: false });

  it("stores a memory (201) with the embedding given, or computed from its content", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const computed = await api.request("POST", `/api/conversations/${conversation.id}/memories`, { content: "Deploys go out on Tuesdays", importance: 0.9, memory_type: "episodic" });
    expect(computed).toMatchObject({ status: 201, body: { content: "Deploys go out on Tuesdays", importance: 0.9, access_count: 0 } });
    const given = Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => (i === 7 ? 1 : 0));
    const explicit = await api.request("POST", `/api/conversations/${conversation.id}/memories`, { content: "unit vector", embedding: given });
    expect(explicit.status).toBe(201);
    const stored = await sandbox.db.selectFrom("conversation_memory").select(["id", "embedding"]).orderBy("content").execute();
    expect(stored.map((row) => row.embedding!.length)).toEqual([EMBEDDING_DIMENSIONS, EMBEDDING_DIMENSIONS]);
    expect(stored.find((row) => row.id === explicit.body.id)!.embedding).toEqual(given);
  });

  it("refuses an embedding of the wrong size (400), an importance out of range (400), an unknown conversation (409)", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    expect(await api.request("POST", `/api/conversations/${conversation.id}/memories`, { content: "x", embedding: [1, 2, 3] })).toMatchObject({ status: 400, body: { code: "INVALID_EMBEDDING" } });
    expect((await api.request("POST", `/api/conversations/${conversation.id}/memories`, { content: "x", importance: 2 })).status).toBe(400);
    expect(await api.request("POST", "/api/conversations/00000000-0000-4000-8000-000000000000/memories", { content: "x" })).toMatchObject({ status: 409, body: { code: "FOREIGN_KEY_VIOLATION" } });
  });

  it("searches by nearest neighbour, nearest first, within the conversation, and counts the access", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const elsewhere = await factories.conversations.create(sandbox.db);
    const texts = ["Deploys go out on Tuesdays after QA", "Ada prefers short answers", "The research squad is paused", "Lunch is at noon"];
    for (const content of texts) await factories.conversation_memory.create(sandbox.db, { conversation_id: conversation.id, content, embedding: embedText(content) });
    await factories.conversation_memory.create(sandbox.db, { conversation_id: elsewhere.id, content: "Deploys happen on Tuesdays", embedding: embedText("Deploys happen on Tuesdays") });
    await factories.conversation_memory.create(sandbox.db, { conversation_id: conversation.id, content: "no embedding", embedding: null });

    const search = await api.request("POST", `/api/conversations/${conversation.id}/memories/search`, { query: "when do deploys go out?", limit: 3 });
    expect(search.status).toBe(200);
    expect(search.body.results.map((memory: { content: string }) => memory.content)[0]).toBe(texts[0]);
    expect(search.body.results).toHaveLength(3);
    const distances = search.body.results.map((memory: { distance: number }) => memory.distance);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(search.body.results[0]).not.toHaveProperty("embedding");
    expect(search.body.results[0].access_count).toBe(1);

    const byVector = await api.request("POST", `/api/conversations/${conversation.id}/memories/search`, { embedding: embedText("Lunch is at noon"), limit: 1 });
    expect(byVector.body.results).toMatchObject([{ content: "Lunch is at noon" }]);
    expect(byVector.body.results[0].distance).toBeCloseTo(0, 5);
    const counts = await sandbox.db.selectFrom("conversation_memory").select(["content", "access_count"]).where("conversation_id", "=", conversation.id).where("access_count", ">", 0).orderBy("content").execute();
    expect(counts.find((row) => row.content === texts[0])!.access_count).toBe(1);
    expect(counts.find((row) => row.content === "Lunch is at noon")!.access_count).toBe(2);
  });

  it("refuses a search with neither or both of query and embedding, or a vector of the wrong size (400)", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const url = `/api/conversations/${conversation.id}/memories/search`;
    expect(await api.request("POST", url, {})).toMatchObject({ status: 400, body: { code: "INVALID_SEARCH" } });
    expect(await api.request("POST", url, { query: "x", embedding: embedText("x") })).toMatchObject({ status: 400, body: { code: "INVALID_SEARCH" } });
    expect(await api.request("POST", url, { embedding: [0.5] })).toMatchObject({ status: 400, body: { code: "INVALID_EMBEDDING" } });
    expect((await api.request("POST", url, { query: "x", limit: 500 })).status).toBe(400);
  });
});
