import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useSandbox } from "athanor/testing";
import { factories } from "./support/factories.js";
import { DIALECTS, useMigratedDatabase } from "./support/migrated-database.js";
import { useTestApp } from "./support/test-app.js";

const NOBODY = "00000000-0000-4000-8000-000000000000";

describe.each(DIALECTS)("agents [%s]", (dialect) => {
  const database = useMigratedDatabase(dialect);
  const sandbox = useSandbox(() => database.engine, { beforeEach, afterEach });
  const api = useTestApp(sandbox, { migrations: false });

  it("creates an agent with a cron schedule (201); a schedule croner cannot read is 400, an unknown owner 409", async () => {
    const owner = await factories.users.create(sandbox.db);
    const created = await api.request("POST", "/api/agents", { owner_id: owner.id, name: "digest", schedule: "0 3 * * *", config: { model: "small", temperature: 0.2 } });
    expect(created).toMatchObject({ status: 201, body: { owner_id: owner.id, schedule: "0 3 * * *", config: { model: "small", temperature: 0.2 } } });
    expect(await api.request("POST", "/api/agents", { owner_id: owner.id, name: "x", schedule: "every day at 3" })).toMatchObject({ status: 400, body: { code: "INVALID_SCHEDULE" } });
    expect(await api.request("POST", "/api/agents", { owner_id: NOBODY, name: "x" })).toMatchObject({ status: 409, body: { code: "FOREIGN_KEY_VIOLATION" } });
    expect((await api.request("POST", "/api/agents", { owner_id: owner.id, name: "x", config: { temperature: 1 } })).status).toBe(400); // config needs a model
    expect(await sandbox.db.selectFrom("agents").select("name").execute()).toEqual([{ name: "digest" }]);
  });

  it("pages agents, filtered by owner and by being scheduled", async () => {
    const owner = await factories.users.create(sandbox.db);
    await factories.agents.create(sandbox.db, { owner_id: owner.id, schedule: "*/5 * * * *" });
    await factories.agents.create(sandbox.db, { owner_id: owner.id });
    await factories.agents.create(sandbox.db, { schedule: "0 * * * *" });
    expect((await api.request("GET", `/api/agents?owner_id=${owner.id}`)).body).toMatchObject({ total: 2, pages: 1 });
    expect((await api.request("GET", `/api/agents?owner_id=${owner.id}&scheduled=true`)).body.items.map((agent: { schedule: string }) => agent.schedule)).toEqual(["*/5 * * * *"]);
    expect((await api.request("GET", "/api/agents?scheduled=false")).body.total).toBe(1);
    expect((await api.request("GET", "/api/agents?per_page=2&page=2")).body).toMatchObject({ total: 3, pages: 2, items: [{}] });
  });

  it("reads an agent with its latest runs and its average rating in one request; 404 when unknown", async () => {
    const agent = await factories.agents.create(sandbox.db, { schedule: "* * * * *" });
    await factories.agent_runs.createList(sandbox.db, 7, { agent_id: agent.id, status: "succeeded" });
    await factories.feedback.create(sandbox.db, { agent_id: agent.id, rating: 5 });
    await factories.feedback.create(sandbox.db, { agent_id: agent.id, rating: 2 });
    const answer = await api.request("GET", `/api/agents/${agent.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body.average_rating).toBe(3.5);
    expect(answer.body.recent_runs).toHaveLength(5);
    const times = answer.body.recent_runs.map((run: { scheduled_for: string }) => run.scheduled_for);
    expect(times).toEqual([...times].sort().reverse());
    expect((await api.request("GET", `/api/agents/${NOBODY}`)).status).toBe(404);
  });

  it("updates an agent; { schedule: null } unschedules it, an invalid schedule is 400", async () => {
    const agent = await factories.agents.create(sandbox.db, { schedule: "*/5 * * * *" });
    expect(await api.request("PATCH", `/api/agents/${agent.id}`, { schedule: null })).toMatchObject({ status: 200, body: { schedule: null } });
    expect(await api.request("PATCH", `/api/agents/${agent.id}`, { schedule: "61 * * * *" })).toMatchObject({ status: 400, body: { code: "INVALID_SCHEDULE" } });
    expect(await api.request("PATCH", `/api/agents/${agent.id}`, { schedule: "*/10 * * * * *", name: "fast" })).toMatchObject({ status: 200, body: { schedule: "*/10 * * * * *", name: "fast" } });
    expect((await api.request("PATCH", `/api/agents/${NOBODY}`, { name: "x" })).status).toBe(404);
  });

  it("deletes an agent with its runs and feedback (204); again is 404", async () => {
    const agent = await factories.agents.create(sandbox.db);
    await factories.agent_runs.create(sandbox.db, { agent_id: agent.id });
    await factories.feedback.create(sandbox.db, { agent_id: agent.id });
    expect((await api.request("DELETE", `/api/agents/${agent.id}`)).status).toBe(204);
    expect(await sandbox.db.selectFrom("agent_runs").selectAll().execute()).toEqual([]);
    expect(await sandbox.db.selectFrom("feedback").selectAll().execute()).toEqual([]);
    expect((await api.request("DELETE", `/api/agents/${agent.id}`)).status).toBe(404);
  });

  it("pages an agent's runs, newest first; an unknown agent is 404", async () => {
    const agent = await factories.agents.create(sandbox.db);
    await factories.agent_runs.createList(sandbox.db, 3, { agent_id: agent.id });
    const page = await api.request("GET", `/api/agents/${agent.id}/runs?per_page=2`);
    expect(page.body).toMatchObject({ total: 3, pages: 2, per_page: 2 });
    expect(page.body.items[0].scheduled_for > page.body.items[1].scheduled_for).toBe(true);
    expect((await api.request("GET", `/api/agents/${NOBODY}/runs`)).status).toBe(404);
  });

  it("takes feedback (201); a rating outside 1..5 is refused by the database's CHECK (400), an unknown agent 409", async () => {
    const agent = await factories.agents.create(sandbox.db);
    const user = await factories.users.create(sandbox.db);
    expect(await api.request("POST", `/api/agents/${agent.id}/feedback`, { user_id: user.id, rating: 5, comment: "great" })).toMatchObject({ status: 201, body: { rating: 5 } });
    const refused = await api.request("POST", `/api/agents/${agent.id}/feedback`, { rating: 6 });
    expect(refused).toMatchObject({ status: 400, body: { code: "CHECK_VIOLATION" } });
    expect(refused.body.constraint).toBe("feedback_rating_range"); // named checks are named on both dialects
    expect(await api.request("POST", `/api/agents/${NOBODY}/feedback`, { rating: 3 })).toMatchObject({ status: 409, body: { code: "FOREIGN_KEY_VIOLATION" } });
    expect((await api.request("POST", `/api/agents/${agent.id}/feedback`, { rating: "high" })).status).toBe(400);
  });

  it("averages feedback overall and per agent (GET /api/stats/feedback), the same numbers on every dialect", async () => {
    const [first, second] = await factories.agents.createList(sandbox.db, 2);
    for (const rating of [5, 4, 4]) await factories.feedback.create(sandbox.db, { agent_id: first!.id, rating });
    await factories.feedback.create(sandbox.db, { agent_id: second!.id, rating: 1 });
    const stats = await api.request("GET", "/api/stats/feedback");
    expect(stats.body).toMatchObject({ ratings: 4, average_rating: 3.5 });
    const perAgent = Object.fromEntries(stats.body.agents.map((row: { id: string; ratings: number; average_rating: number }) => [row.id, [row.ratings, row.average_rating]]));
    expect(perAgent).toEqual({ [first!.id]: [3, 13 / 3], [second!.id]: [1, 1] });
  });
});
