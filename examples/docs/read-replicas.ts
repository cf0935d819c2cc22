// Read replicas: read-only work on streaming standbys, writes on the primary, never a stale read after your own write.
// Runs anywhere: without REPLICA_URLS (or on SQLite) every read goes to the one database, and the same code works.
import { createEngine, createSessionFactory } from "athanor";
import { defineSchema, initializeDatabase, table, text, uuid } from "athanor/schema";

const journal = table("journal", { id: uuid().primaryKey().defaultRandom(), body: text().notNull() });
const schema = defineSchema({ journal });
const seen = { fallbacks: 0 };

// #region create
const replicaUrls = process.env.REPLICA_URLS?.split(",") ?? []; // e.g. postgres://app:…@replica-1:5432/app
export const engine = createEngine(process.env.DATABASE_URL ?? "sqlite:./data/app.db", {
  schema,
  replicas: replicaUrls, // one pool per server, each with the engine's pool options
  maxReplicaLagMillis: 5_000, // further behind: out of rotation until it catches up
  replicaCheckIntervalMillis: 1_000,
});
export const sessions = createSessionFactory(engine); // ordinary sessions: the primary
export const readOnly = sessions.withOptions({ readOnly: true }); // read-only sessions: a replica
// #endregion create

await engine.replicas.readYourWrites(async () => {
  await initializeDatabase(engine, schema);
  // #region read-your-writes
  await engine.replicas.readYourWrites(async () => {
    const { id } = await sessions.run((db) => db.insertInto("journal").values({ body: "written on the primary" }).returning("id").executeTakeFirstOrThrow());
    // Only a replica that has replayed that commit, or else the primary, serves this read.
    const mine = await readOnly.run((db) => db.selectFrom("journal").select("body").where("id", "=", id).executeTakeFirstOrThrow());
    console.log(mine.body); // "written on the primary", never missing
  });
  // #endregion read-your-writes

  // #region replica-db
  // Autocommit reads that may be a little stale (at most maxReplicaLagMillis outside a read-your-writes scope).
  const recent = await engine.replicas.db.selectFrom("journal").select("body").limit(10).execute();
  // #endregion replica-db
  console.log(recent.length > 0);
});

// #region across-requests
// Request 1 writes, and hands the client where the primary then was (e.g. as a header).
const token = await engine.replicas.readYourWrites(async () => {
  await sessions.run((db) => db.insertInto("journal").values({ body: "posted" }).execute());
  return engine.replicas.position(); // an opaque string, or undefined without replicas
});
// Request 2 sends it back: its reads see request 1's write, whichever server serves them.
const posted = await engine.replicas.readYourWrites(() => readOnly.run((db) => db.selectFrom("journal").select("body").where("body", "=", "posted").execute()), { after: token });
// #endregion across-requests
console.log(posted.length > 0);

// #region status
engine.on("replicaState", ({ server, inRotation, reason }) => console.log(`${server} ${inRotation ? "in rotation" : `out: ${reason}`}`));
engine.on("replicaFallback", () => void seen.fallbacks++);
const { primary, replicas, fallbacks } = engine.replicas.status();
console.log(primary.name, primary.pool.checkedOut, fallbacks); // "db-1:5432/app" 0 { unavailable: 0, readYourWrites: 1 }
for (const replica of replicas) console.log(replica.name, replica.inRotation, replica.lagMillis, replica.reads);
const health = await engine.healthCheck(); // status is the primary's; each replica has its own probe
for (const replica of health.replicas ?? []) console.log(replica.name, replica.status, replica.latencyMillis);
// #endregion status

console.log(seen.fallbacks >= 0);
await engine.dispose();
