import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useSandbox } from "athanor/testing";
import { MAX_BULK_MESSAGES } from "../src/routes/message-routes.js";
import { factories } from "./support/factories.js";
import { DIALECTS, useMigratedDatabase } from "./support/migrated-database.js";
import { useTestApp } from "./support/test-app.js";

const NOBODY = "00000000-0000-4000-8000-000000000000";

describe.each(DIALECTS)("messages [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  const api = useTestApp(sandbox, { migrations: false });

  it("posts a message with its thinking (201); an unknown conversation is 404, a malformed body 400", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const posted = await api.request("POST", `/api/conversations/${conversation.id}/messages`, { role: "assistant", content: "Tuesday.", thinking: "the notes say so", output_tokens: 3 });
    expect(posted).toMatchObject({ status: 201, body: { conversation_id: conversation.id, role: "assistant", thinking: "the notes say so", output_tokens: 3 } });
    expect((await api.request("POST", `/api/conversations/${NOBODY}/messages`, { role: "user", content: "hi" })).status).toBe(404);
    expect((await api.request("POST", `/api/conversations/${conversation.id}/messages`, { content: "no role" })).status).toBe(400);
    expect((await api.request("POST", `/api/conversations/${conversation.id}/messages`, { role: "user", content: "x", input_tokens: -1 })).status).toBe(400);
  });

  it("pages a conversation's messages newest first by cursor, each once; a made-up cursor is 400", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const other = await factories.conversations.create(sandbox.db);
    await factories.messages.createList(sandbox.db, 23, { conversation_id: conversation.id });
    await factories.messages.create(sandbox.db, { conversation_id: other.id });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const query: string = `limit=10${after === null ? "" : `&after=${after}`}`;
      const page = await api.request("GET", `/api/conversations/${conversation.id}/messages?${query}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((message: { id: string }) => message.id));
      after = page.body.next;
      pages += 1;
    } while (after !== null);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(23);
    const expected = await sandbox.db.selectFrom("messages").select("id").where("conversation_id", "=", conversation.id).orderBy("created_at", "desc").orderBy("id", "desc").execute();
    expect(seen).toEqual(expected.map((row) => row.id));
    expect(await api.request("GET", `/api/conversations/${conversation.id}/messages?after=bm90LWEtY3Vyc29y`)).toMatchObject({ status: 400, body: { code: "INVALID_CURSOR" } });
    expect((await api.request("GET", `/api/conversations/${conversation.id}/messages?limit=0`)).status).toBe(400);
  });

  it(`imports ${MAX_BULK_MESSAGES.toLocaleString("en")} messages in one request, in multi-row INSERTs, in one transaction`, async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    const messages = Array.from({ length: MAX_BULK_MESSAGES }, (_, i) => ({ role: i % 2 === 0 ? "user" : "assistant", content: `message ${i}`, input_tokens: i % 7 }));
    const answer = await api.request("POST", `/api/conversations/${conversation.id}/messages/bulk`, { messages });
    expect(answer.status).toBe(201);
    expect(answer.body.inserted).toBe(MAX_BULK_MESSAGES);
    expect(answer.body.statements).toBeLessThan(20); // thousands of rows per statement, not one each
    const stored = await sandbox.db
      .selectFrom("messages")
      .select((eb) => [eb.fn.countAll<number>().as("rows"), eb.fn.sum<number>("input_tokens").as("tokens")])
      .where("conversation_id", "=", conversation.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ rows: MAX_BULK_MESSAGES, tokens: messages.reduce((sum, message) => sum + message.input_tokens, 0) });
  });

  it("imports all or nothing: one bad row (400 before the database), an unknown conversation (404), too many rows (400)", async () => {
    const conversation = await factories.conversations.create(sandbox.db);
    expect((await api.request("POST", `/api/conversations/${conversation.id}/messages/bulk`, { messages: [{ role: "user", content: "ok" }, { role: "user" }] })).status).toBe(400);
    expect((await api.request("POST", `/api/conversations/${NOBODY}/messages/bulk`, { messages: [{ role: "user", content: "ok" }] })).status).toBe(404);
    const tooMany = Array.from({ length: MAX_BULK_MESSAGES + 1 }, () => ({ role: "user", content: "x" }));
    expect((await api.request("POST", `/api/conversations/${conversation.id}/messages/bulk`, { messages: tooMany })).status).toBe(400);
    expect(await sandbox.db.selectFrom("messages").selectAll().execute()).toEqual([]);
  });

  it("reads, edits and deletes a message; unknown ids are 404", async () => {
    const message = await factories.messages.create(sandbox.db, { extra_data: { source: "test" } });
    expect(await api.request("GET", `/api/messages/${message.id}`)).toMatchObject({ status: 200, body: { id: message.id, extra_data: { source: "test" } } });
    expect(await api.request("PATCH", `/api/messages/${message.id}`, { content: "edited", thinking: null })).toMatchObject({ status: 200, body: { content: "edited" } });
    expect((await api.request("DELETE", `/api/messages/${message.id}`)).status).toBe(204);
    for (const [method, body] of [["GET", undefined], ["PATCH", { content: "x" }], ["DELETE", undefined]] as const) {
      expect((await api.request(method, `/api/messages/${message.id}`, body)).status).toBe(404);
    }
  });
});
