import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useSandbox } from "athanor/testing";
import { factories } from "./support/factories.js";
import { DIALECTS, useMigratedDatabase } from "./support/migrated-database.js";
import { useTestApp } from "./support/test-app.js";

describe.each(DIALECTS)("users [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  const api = useTestApp(sandbox);

  it("creates a user (201) and reads it back", async () => {
    const created = await api.request("POST", "/api/users", { email: "ada@example.com", name: "Ada", plan_tier: "pro" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: "ada@example.com", name: "Ada", plan_tier: "pro", is_active: true, organization_id: null });
    const read = await api.request("GET", `/api/users/${created.body.id}`);
    expect(read).toEqual({ status: 200, body: created.body });
  });

  it("answers a duplicate email with 400, as seed 002 does, and keeps one user", async () => {
    await api.request("POST", "/api/users", { email: "ada@example.com", name: "Ada" });
    const again = await api.request("POST", "/api/users", { email: "ada@example.com", name: "Ada again" });
    expect(again).toMatchObject({ status: 400, body: { code: "UNIQUE_VIOLATION", error: "Bad Request" } });
    if (dialect === "postgres") expect(again.body.constraint).toBe("users_email_key");
    expect(await sandbox.db.selectFrom("users").select("name").execute()).toEqual([{ name: "Ada" }]);
  });

  it("refuses a malformed body (400) before the database sees it", async () => {
    for (const body of [{ name: "no email" }, { email: "not an address", name: "x" }, { email: "a@example.com", name: "x", plan_tier: "platinum" }, { email: "a@example.com", name: "" }]) {
      expect((await api.request("POST", "/api/users", body)).status).toBe(400);
    }
    expect(await sandbox.db.selectFrom("users").selectAll().execute()).toEqual([]);
  });

  it("pages users with the total and the page count (seed 002's get_paginated_users)", async () => {
    await factories.users.createList(sandbox.db, 45);
    const pages = await Promise.all([1, 2, 3, 4].map((page) => api.request("GET", `/api/users?page=${page}&per_page=20`)));
    expect(pages.map((page) => page.body.items.length)).toEqual([20, 20, 5, 0]);
    for (const page of pages) expect(page.body).toMatchObject({ total: 45, per_page: 20, pages: 3 });
    expect(new Set(pages.flatMap((page) => page.body.items.map((user: { id: string }) => user.id))).size).toBe(45);
    expect((await api.request("GET", "/api/users?per_page=1000")).status).toBe(400);
    expect((await api.request("GET", "/api/users?page=0")).status).toBe(400);
  });

  it("updates (200) and deletes (204) a user; an unknown id is 404, a malformed one 400", async () => {
    const user = await factories.users.create(sandbox.db);
    const updated = await api.request("PATCH", `/api/users/${user.id}`, { name: "Renamed", is_active: false });
    expect(updated).toMatchObject({ status: 200, body: { id: user.id, name: "Renamed", is_active: false } });
    expect(updated.body.updated_at >= user.updated_at.toISOString()).toBe(true);
    expect((await api.request("DELETE", `/api/users/${user.id}`)).status).toBe(204);
    for (const [method, body] of [["GET", undefined], ["PATCH", { name: "x" }], ["DELETE", undefined]] as const) {
      expect(await api.request(method, `/api/users/${user.id}`, body)).toMatchObject({ status: 404, body: { code: "NO_RESULT" } });
    }
    expect((await api.request("GET", "/api/users/not-a-uuid")).status).toBe(400);
    expect((await api.request("PATCH", `/api/users/${user.id}`, {})).status).toBe(400);
  });

  it("a duplicate email on update is a 400 too", async () => {
    const [ada, grace] = await factories.users.createList(sandbox.db, 2);
    expect(await api.request("PATCH", `/api/users/${grace!.id}`, { email: ada!.email })).toMatchObject({ status: 400, body: { code: "UNIQUE_VIOLATION" } });
  });
});
