// Graceful shutdown of the real service (`src/main.ts`, as `npm start` runs it): SIGTERM while
// clients keep writing. No request that was accepted is lost, the requests in flight finish,
// every connection of the service is closed, and the process exits 0 (in cluster mode: the
// primary, once its workers are gone). Committed data: a fresh database each.
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createEngine } from "athanor";
import { testPostgresUrl, type TestDatabase } from "athanor/testing";
import { DEMO } from "../src/demo-fixtures.js";
import { schema } from "../src/schema.js";
import { runTypeScript } from "./support/child-process.js";
import { connectSocket } from "./support/socket-client.js";
import { DIALECTS, freshDatabase } from "./support/migrated-database.js";

const MAIN = "examples/agent-platform/src/main.ts";

/** A port nobody listens on now (cluster workers share the port they are given). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

interface Outcome {
  readonly email: string;
  readonly status?: number;
  readonly error?: string;
}

/** Clients that keep creating users, one request after another each, until `stop()`. */
function startLoad(url: string, clients: number) {
  let running = true;
  const outcomes: Outcome[] = [];
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let i = 0; running; i++) {
      const email = `load-${client}-${i}@example.com`;
      try {
        const response = await fetch(`${url}/api/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, name: "load" }) });
        await response.arrayBuffer();
        outcomes.push({ email, status: response.status });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        outcomes.push({ email, error: cause?.code ?? (error as Error).message });
        if (cause?.code === "ECONNREFUSED") return; // nobody listens any more: this client is done
      }
    }
  });
  return { outcomes, stop: async () => ((running = false), await Promise.all(loops)) };
}

async function connectionsOf(applicationName: string): Promise<number> {
  const admin = createEngine(testPostgresUrl());
  try {
    const { sql } = await import("kysely");
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${applicationName}`.execute(admin.db);
    return rows[0]!.n;
  } finally {
    await admin.dispose();
  }
}

// PostgreSQL, where connections can be counted, in both modes; the SQLite file too with
// AGENT_PLATFORM_SOAK=1 (or when no PostgreSQL server answers): every case starts real processes.
const soak = process.env.AGENT_PLATFORM_SOAK === "1";
const cases = [
  ...(DIALECTS.includes("postgres") ? [{ kind: "postgres" as const, workers: 1 }, { kind: "postgres" as const, workers: 2 }] : []),
  ...(soak || !DIALECTS.includes("postgres") ? [{ kind: "sqlite-file" as const, workers: 1 }] : []),
];

// The cases run at once (their own database and port each): starting the service is most of their time.
describe.concurrent("graceful shutdown on SIGTERM", () => {
  it.each(cases)("[$kind, $workers worker(s)] answers every request it accepted, finishes the ones in flight, closes every connection, exits 0", async ({ kind, workers }) => {
    const database: TestDatabase = await freshDatabase(kind);
    const applicationName = `ap-shutdown-${randomUUID().slice(0, 8)}`;
    const port = await freePort();
    const service = runTypeScript(MAIN, {
      DATABASE_URL: database.url,
      PORT: String(port),
      WORKERS: String(workers),
      APPLICATION_NAME: applicationName,
      POOL_SIZE: "4",
      POOL_MAX_OVERFLOW: "2",
      LOG_LEVEL: "warn",
      SCHEDULER_TICK_MILLIS: "100",
      SHUTDOWN_TIMEOUT_MILLIS: "10000",
    });
    const engine = createEngine(database.url, { schema });
    try {
      const url = /listening on (\S+)/.exec(await service.waitFor(/^Agent platform listening on /, 60_000))![1]!;
      if (workers > 1) {
        // The workers share the port round-robin, so these clients sit on both; each hears the others' messages.
        const clients = await Promise.all([0, 1, 2, 3].map(() => connectSocket(`${url.replace(/^http/, "ws")}/ws/conversations/${DEMO.welcomeConversation}`)));
        clients[0]!.send("to every worker's clients");
        for (const client of clients.slice(1)) expect(await client.next()).toMatchObject({ type: "message", message: { content: "to every worker's clients" } });
        for (const client of clients) client.close();
      }
      const load = startLoad(url, 8);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A long request in flight when SIGTERM arrives: 10,000 messages in one transaction.
      const bulk = fetch(`${url}/api/conversations/${DEMO.welcomeConversation}/messages/bulk`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: Array.from({ length: 10_000 }, (_, i) => ({ role: "user", content: `bulk ${i}` })) }),
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      service.process.kill("SIGTERM");
      const [exitCode, bulkAnswer] = await Promise.all([service.exited, bulk.then((response) => response.status, (error: Error) => error.message)]);
      await load.stop();

      expect(exitCode, service.stderr()).toBe(0);
      if (bulkAnswer === 201) {
        const { n } = await engine.db.selectFrom("messages").select((eb) => eb.fn.countAll<number>().as("n")).where("content", "like", "bulk %").executeTakeFirstOrThrow();
        expect(n).toBe(10_000); // the request in flight finished and committed
      } else {
        expect(bulkAnswer).not.toBe(500); // refused before it started (closing), never cut half-way
      }
      const answered = load.outcomes.filter((outcome) => outcome.status === 201).map((outcome) => outcome.email);
      expect(answered.length).toBeGreaterThan(0);
      // Nothing but success, a refusal while closing (503), or a connection the server never accepted a request on.
      for (const outcome of load.outcomes) {
        if (outcome.status !== undefined) expect([201, 503]).toContain(outcome.status);
        else expect(["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET"]).toContain(outcome.error);
      }
      // No request lost: every user the service stored was answered 201, and every 201 is stored.
      const stored = await engine.db.selectFrom("users").select("email").where("email", "like", "load-%").execute();
      expect(new Set(stored.map((row) => row.email))).toEqual(new Set(answered));
      if (kind === "postgres") expect(await connectionsOf(applicationName)).toBe(0);
    } finally {
      service.process.kill("SIGKILL");
      await engine.dispose();
      await database.drop();
    }
  }, 90_000);
});
