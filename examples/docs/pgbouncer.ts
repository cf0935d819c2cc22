// PgBouncer in transaction mode: the examples of docs/pgbouncer.md. Runs on any DATABASE_URL
// (without PgBouncer in front, pooler: "transaction" only sends statements unnamed).
import { createEngine, createSessionFactory, PoolerIncompatibleError } from "athanor";

// #region engine
// DATABASE_URL=postgres://app:…@pgbouncer:6432/app?pooler=transaction, or the option:
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", {
  postgres: { pooler: "transaction" }, // statements unnamed, no session state between transactions
  pool: { size: 10, maxOverflow: 10 }, // client connections to PgBouncer: cheap
});
const sessions = createSessionFactory(engine);
const answer = await sessions.run(async (db) => (await db.selectNoFrom((eb) => eb.val(42).as("answer")).executeTakeFirstOrThrow()).answer);
// #endregion engine

// #region refused
try {
  createEngine("postgres://app@pgbouncer:6432/app?pooler=transaction", { prepareStatements: true });
} catch (error) {
  if (!(error instanceof PoolerIncompatibleError)) throw error;
  console.log(error.code); // POOLER_INCOMPATIBLE: "prepareStatements: true cannot be used with pooler "transaction": …"
}
// #endregion refused

console.log(answer); // 42
await engine.dispose();
