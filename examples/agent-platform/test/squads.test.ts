import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, createSessionFactory } from "athanor";
import { useSandbox } from "athanor/testing";
import { buildApp } from "../src/build-app.js";
import { schema } from "../src/schema.js";
import { factories } from "./support/factories.js";
import { DIALECTS, freshDatabase, useMigratedDatabase } from "./support/migrated-database.js";
import { useTestApp } from "./support/test-app.js";

describe.each(DIALECTS)("squads [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  const api = useTestApp(sandbox, { migrations: false });

  it("creates a squad with its members; a role given twice is skipped in its savepoint, the rest commits", async () => {
    const owner = await factories.users.create(sandbox.db);
    const created = await api.request("POST", "/api/squads", {
      user_id: owner.id,
      name: "core",
      members: [{ role: "project_manager", system_prompt: "Plan." }, { role: "qa_tester" }, { role: "project_manager" }, { role: "backend_developer" }],
    });
    expect(created.status).toBe(201);
    expect(created.body.squad).toMatchObject({ user_id: owner.id, name: "core", status: "active" });
    expect(created.body.members.map((member: { role: string }) => member.role)).toEqual(["project_manager", "qa_tester", "backend_developer"]);
    expect(created.body.skipped).toEqual(["project_manager"]);
    const stored = await sandbox.db.selectFrom("squad_members").select("role").where("squad_id", "=", created.body.squad.id).orderBy("role").execute();
    expect(stored.map((member) => member.role)).toEqual(["backend_developer", "project_manager", "qa_tester"]);
  });

  it("refuses a squad for an unknown owner (409, nothing stored) and a malformed body (400)", async () => {
    const missing = await api.request("POST", "/api/squads", { user_id: "00000000-0000-4000-8000-000000000000", name: "orphan" });
    expect(missing).toMatchObject({ status: 409, body: { code: "FOREIGN_KEY_VIOLATION" } });
    expect((await api.request("POST", "/api/squads", { name: "no owner" })).status).toBe(400);
    expect((await api.request("POST", "/api/squads", { user_id: "00000000-0000-4000-8000-000000000000", name: "x", members: [{ system_prompt: "no role" }] })).status).toBe(400);
    expect(await sandbox.db.selectFrom("squads").selectAll().execute()).toEqual([]);
  });

  it("reads a squad with its members and owner in one statement (no N+1)", async () => {
    const squad = await factories.squads.create(sandbox.db, { name: "core" });
    for (const role of ["qa", "dev", "pm"]) await factories.squad_members.create(sandbox.db, { squad_id: squad.id, role });
    const statements: string[] = [];
    const listener = ({ sql }: { sql: string }) => void statements.push(sql);
    database.engine.on("query", listener);
    try {
      const answer = await api.request("GET", `/api/squads/${squad.id}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: squad.id, name: "core", owner: { id: squad.user_id } });
      expect(answer.body.members.map((member: { role: string }) => member.role)).toEqual(["dev", "pm", "qa"]);
      expect(typeof answer.body.members[0].created_at).toBe("string"); // a Date in the row, ISO text in JSON
    } finally {
      database.engine.off("query", listener);
    }
    expect(statements.filter((text) => /^\s*select/i.test(text))).toHaveLength(1);
    expect((await api.request("GET", "/api/squads/00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });

  it("pages squads with their member counts, filtered by status", async () => {
    const [core, edge] = await factories.squads.createList(sandbox.db, 2);
    await factories.squads.create(sandbox.db, { status: "paused" });
    await factories.squad_members.createList(sandbox.db, 3, { squad_id: core!.id });
    const page = await api.request("GET", "/api/squads?status=active&per_page=10");
    expect(page.body).toMatchObject({ total: 2, pages: 1, page: 1, per_page: 10 });
    const counts = Object.fromEntries(page.body.items.map((squad: { id: string; member_count: number }) => [squad.id, squad.member_count]));
    expect(counts).toEqual({ [core!.id]: 3, [edge!.id]: 0 });
    expect((await api.request("GET", "/api/squads?status=gone")).status).toBe(400);
  });

  it("updates and deletes a squad (its members go with it); unknown ids are 404", async () => {
    const squad = await factories.squads.create(sandbox.db);
    await factories.squad_members.create(sandbox.db, { squad_id: squad.id });
    expect(await api.request("PATCH", `/api/squads/${squad.id}`, { status: "archived", name: "old" })).toMatchObject({ status: 200, body: { status: "archived", name: "old" } });
    expect((await api.request("PATCH", `/api/squads/${squad.id}`, { status: "frozen" })).status).toBe(400);
    expect((await api.request("DELETE", `/api/squads/${squad.id}`)).status).toBe(204);
    expect(await sandbox.db.selectFrom("squad_members").selectAll().execute()).toEqual([]);
    expect((await api.request("DELETE", `/api/squads/${squad.id}`)).status).toBe(404);
    expect((await api.request("PATCH", `/api/squads/${squad.id}`, { name: "x" })).status).toBe(404);
  });

  it("adds a member (201); a role the squad has is 400, an unknown squad 409", async () => {
    const squad = await factories.squads.create(sandbox.db);
    expect(await api.request("POST", `/api/squads/${squad.id}/members`, { role: "qa" })).toMatchObject({ status: 201, body: { squad_id: squad.id, role: "qa" } });
    expect(await api.request("POST", `/api/squads/${squad.id}/members`, { role: "qa" })).toMatchObject({ status: 400, body: { code: "UNIQUE_VIOLATION" } });
    expect(await api.request("POST", "/api/squads/00000000-0000-4000-8000-000000000000/members", { role: "qa" })).toMatchObject({ status: 409, body: { code: "FOREIGN_KEY_VIOLATION" } });
  });

  it("transfers ownership (seed 002's transfer_squad); unknown squad or user 404, a stale expected owner 409", async () => {
    const squad = await factories.squads.create(sandbox.db);
    const next = await factories.users.create(sandbox.db);
    const moved = await api.request("POST", `/api/squads/${squad.id}/transfer`, { new_owner_id: next.id, expected_owner_id: squad.user_id });
    expect(moved).toEqual({ status: 200, body: { id: squad.id, previous_owner_id: squad.user_id, user_id: next.id } });
    const stale = await api.request("POST", `/api/squads/${squad.id}/transfer`, { new_owner_id: squad.user_id, expected_owner_id: squad.user_id });
    expect(stale).toMatchObject({ status: 409, body: { code: "OWNER_CHANGED" } });
    expect(await api.request("POST", "/api/squads/00000000-0000-4000-8000-000000000000/transfer", { new_owner_id: next.id })).toMatchObject({ status: 404, body: { code: "SQUAD_NOT_FOUND" } });
    expect(await api.request("POST", `/api/squads/${squad.id}/transfer`, { new_owner_id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({ status: 404, body: { code: "USER_NOT_FOUND" } });
    expect((await sandbox.db.selectFrom("squads").select("user_id").where("id", "=", squad.id).executeTakeFirstOrThrow()).user_id).toBe(next.id);
  });

  it("counts members per squad (GET /api/stats/squads), squads without members as 0", async () => {
    const [a, b] = await factories.squads.createList(sandbox.db, 2, { name: "same name" });
    await factories.squad_members.createList(sandbox.db, 2, { squad_id: a!.id });
    const stats = await api.request("GET", "/api/stats/squads");
    expect(stats.status).toBe(200);
    const counts = Object.fromEntries(stats.body.squads.map((row: { id: string; member_count: number }) => [row.id, row.member_count]));
    expect(counts).toEqual({ [a!.id]: 2, [b!.id]: 0 });
  });
});

// FOR UPDATE needs real concurrency: two requests on their own connections, committed for real.
describe.runIf(DIALECTS.includes("postgres"))("squad transfer under concurrency [postgres]", () => {
  it("two transfers from the same owner at once: the row lock makes one win and the other see the new owner (409)", async () => {
    const database = await freshDatabase("postgres");
    const engine = createEngine(database.url, { schema, pool: { size: 4 } });
    const app = buildApp({ sessions: createSessionFactory(engine), migrations: false });
    try {
      const owner = await factories.users.create(engine.db);
      const [left, right] = await factories.users.createList(engine.db, 2);
      const squad = await factories.squads.create(engine.db, { user_id: owner.id });
      const transfer = (to: string) => app.inject({ method: "POST", url: `/api/squads/${squad.id}/transfer`, payload: { new_owner_id: to, expected_owner_id: owner.id } });
      const answers = await Promise.all([transfer(left!.id), transfer(right!.id)]);
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
      const winner = answers.find((answer) => answer.statusCode === 200)!.json().user_id;
      expect((await engine.db.selectFrom("squads").select("user_id").where("id", "=", squad.id).executeTakeFirstOrThrow()).user_id).toBe(winner);
    } finally {
      await app.close();
      await engine.dispose();
      await database.drop();
    }
  });
});
