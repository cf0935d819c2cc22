// Handling Athanor's errors: match on the class in code, on `code` in logs and across processes.
import { createEngine } from "athanor";
import { AthanorError, UniqueViolationError } from "athanor/errors";
import { defineSchema, initializeDatabase, table, text, uuid } from "athanor/schema";

const users = table("users", { id: uuid().primaryKey().defaultRandom(), email: text().notNull().unique() });
const schema = defineSchema({ users });
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
await initializeDatabase(engine, schema);
const db = engine.db;
const reply = { code: (status: number) => ({ send: (body: unknown) => ({ status, body }) }) };
const retryLater = () => ({ status: 503, body: { retry: true } });

async function register(email: string) {
  // #region catch
  try {
    await db.insertInto("users").values({ email }).execute();
  } catch (error) {
    if (error instanceof UniqueViolationError) return reply.code(409).send({ field: error.columns[0] ?? error.constraint });
    if (error instanceof AthanorError && error.retryable) return retryLater();
    throw error;
  }
  // #endregion catch
  return reply.code(201).send({ email });
}

console.log(await register("ada@example.com"), await register("ada@example.com")); // { status: 201 … } { status: 409, body: { field: 'email' } }
await engine.dispose();
