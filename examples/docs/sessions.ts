// Sessions and the session factory: the examples of docs/sessions.md, as one program.
import { EventEmitter } from "node:events";
import { createEngine, createSessionFactory, UniqueViolationError, type SessionFactory } from "athanor";
import { defineSchema, initializeDatabase, integer, table, text, uuid, type InferDatabase } from "athanor/schema";

// #region database
// database.ts: the single source of truth for connection settings
const agents = table("agents", {
  id: text().primaryKey(),
  name: text().notNull(),
  ownerId: text().notNull(),
  schedule: text(), // cron expression; NULL = not scheduled
});
const accounts = table("accounts", { id: text().primaryKey(), balance: integer().notNull() });
const messages = table("messages", { id: uuid().primaryKey().defaultRandom(), conversationId: text().notNull(), body: text().notNull() });
const jobs = table("jobs", { id: integer().primaryKey(), status: text().notNull() });
export const schema = defineSchema({ agents, accounts, messages, jobs });
export type DB = InferDatabase<typeof schema>;

export const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", { schema });
export const sessions = createSessionFactory(engine); // like sessionmaker
// #endregion database

await initializeDatabase(engine, schema);
await engine.db.insertInto("agents").values({ id: "seed", name: "seed", ownerId: "u1", schedule: "0 3 * * *" }).execute();
await engine.db.insertInto("accounts").values([{ id: "a", balance: 100 }, { id: "b", balance: 0 }]).execute();
await engine.db.insertInto("jobs").values([{ id: 1, status: "queued" }, { id: 2, status: "queued" }]).execute();
const id = "seed";

// #region run-and-open
const agent = await sessions.run(async (db) => {
  const row = await db.selectFrom("agents").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  await db.updateTable("agents").set({ schedule: null }).where("id", "=", row.id).execute();
  return row;
}); // committed here

{
  await using db = sessions.open();
  await db.insertInto("agents").values({ id: "a1", name: "scout", ownerId: "u1", schedule: null }).execute();
  await db.commit(); // durable; the session stays usable
  await db.insertInto("agents").values({ id: "a2", name: "draft", ownerId: "u1", schedule: null }).execute();
} // closed here: the uncommitted second insert is rolled back
// #endregion run-and-open
console.log(agent.name, (await engine.db.selectFrom("agents").select("id").orderBy("id").execute()).map((row) => row.id)); // seed [ 'a1', 'seed' ]

// #region service
export class AgentService {
  constructor(private readonly sessions: SessionFactory<DB>) {}

  /** A unit of work of its own; inside a caller's run() it joins the caller's transaction. */
  pause(id: string): Promise<void> {
    return this.sessions.run(async (db) => {
      await db.updateTable("agents").set({ schedule: null }).where("id", "=", id).execute();
    });
  }

  rename(id: string, name: string): Promise<void> {
    return this.sessions.run(async (db) => {
      await db.updateTable("agents").set({ name }).where("id", "=", id).execute();
    });
  }
}

// Both writes commit together, or neither does:
const service = new AgentService(sessions);
await sessions.run(async (db) => {
  await service.rename("a1", "scout");
  await db.insertInto("messages").values({ conversationId: "c1", body: "renamed" }).execute();
});
// #endregion service

// #region socket
interface Client {
  send(data: string): void;
}

export function handleChatSocket(socket: EventEmitter, clients: Set<Client>, sessions: SessionFactory<DB>): void {
  socket.on("message", (raw: string) => {
    const { conversationId, body } = JSON.parse(raw) as { conversationId: string; body: string };
    sessions
      .run(async (db) => {
        const { id } = await db.insertInto("messages").values({ conversationId, body }).returning("id").executeTakeFirstOrThrow();
        db.afterCommit(() => {
          for (const client of clients) client.send(JSON.stringify({ type: "message", id, conversationId, body }));
        });
      })
      .catch((error) => socket.emit("failed", error)); // rolled back; nobody was notified
  });
}
// #endregion socket

const socket = new EventEmitter();
const received: string[] = [];
const delivered = new Promise<void>((resolve) => {
  handleChatSocket(socket, new Set([{ send: (data: string) => (received.push(data), resolve()) }]), sessions);
});
socket.emit("message", JSON.stringify({ conversationId: "c1", body: "hello" }));
await delivered;

// #region nested
await sessions.run(async (db) => {
  for (const id of ["a3", "a1", "a4"]) {
    try {
      await db.nested((sp) => sp.insertInto("agents").values({ id, name: id, ownerId: "u1", schedule: null }).execute());
    } catch (error) {
      if (!(error instanceof UniqueViolationError)) throw error; // a1 exists: skip it, keep the rest
    }
  }
}); // a3 and a4 committed
// #endregion nested

// #region retry
class InsufficientFunds extends Error {}

async function transfer(from: string, to: string, amount: number): Promise<void> {
  await sessions.run(
    async (db) => {
      const source = await db.selectFrom("accounts").select("balance").where("id", "=", from).executeTakeFirstOrThrow();
      if (source.balance < amount) throw new InsufficientFunds(); // not retryable: thrown at once
      await db.updateTable("accounts").set({ balance: source.balance - amount }).where("id", "=", from).execute();
      const target = await db.selectFrom("accounts").select("balance").where("id", "=", to).executeTakeFirstOrThrow();
      await db.updateTable("accounts").set({ balance: target.balance + amount }).where("id", "=", to).execute();
    },
    { isolationLevel: "serializable", retry: { maxAttempts: 5, baseDelayMillis: 10 } },
  );
}
// #endregion retry
await Promise.all([transfer("a", "b", 30), transfer("a", "b", 20)]);

// #region read-only
const reports = sessions.withOptions({ readOnly: true });
const balances = await reports.run((db) => db.selectFrom("accounts").selectAll().orderBy("id").execute());

await sessions.run((db) => db.selectFrom("accounts").selectAll().execute(), { isolationLevel: "repeatable read" }); // one snapshot for the whole unit
// #endregion read-only
console.log(balances); // [ { id: 'a', balance: 50 }, { id: 'b', balance: 50 } ]

// #region locks
await sessions.run(async (db) => {
  const job = await db.selectFrom("jobs").selectAll().where("status", "=", "queued").orderBy("id").limit(1).forUpdate().skipLocked().executeTakeFirst();
  if (job) await db.updateTable("jobs").set({ status: "running" }).where("id", "=", job.id).execute();
});
// #endregion locks

const rows = Array.from({ length: 10_000 }, (_, i) => ({ conversationId: "c2", body: `message ${i}` }));
// #region bulk
const { inserted, statements } = await sessions.run((db) => db.insertMany("messages", rows));
// #endregion bulk
console.log(inserted, statements, received.length);

await engine.dispose();
