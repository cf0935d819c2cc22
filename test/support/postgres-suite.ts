import type { Engine } from "../../src/engine/engine.js";
import type { EngineOptions } from "../../src/engine/engine-options.js";
import { suiteDatabase } from "./each-dialect.js";
import { engineFactory } from "./engines.js";

/** What `postgresSuite()` hands a describe block. */
export interface PostgresSuite {
  /** The suite's PostgreSQL database URL; valid inside hooks and tests. */
  url(): string;
  /** Creates an engine that is disposed after the current test (or hook's test). */
  engine(url: string, options?: EngineOptions): Engine;
}

/**
 * Call at describe level: a fresh PostgreSQL database for the block (created in beforeAll,
 * dropped in afterAll) and an engine factory whose engines are disposed after each test.
 * Hooks registered after it see the database in their beforeAll, and their afterAll runs
 * before the drop. Keep the `describe.skipIf(postgresUnavailable)` around the block.
 *
 * @example
 * ```ts
 * describe.skipIf(postgresUnavailable)("PostgreSQL pool: something", () => {
 *   const postgres = postgresSuite();
 *   let engine: Engine;
 *
 *   it("works", async () => {
 *     engine = postgres.engine(postgres.url(), { pool: { size: 1 } });
 *     await sql`select 1`.execute(engine.db);
 *   });
 * });
 * ```
 */
export function postgresSuite(): PostgresSuite {
  const database = suiteDatabase("postgres");
  return { url: database.url, engine: engineFactory() };
}
