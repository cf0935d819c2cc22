import type { SessionFactory } from "athanor";
import { seed, type SeedResult } from "athanor/seed";
import { fixtures } from "../demo-fixtures.js";
import { schema, type DB } from "../schema.js";

/**
 * Seeds the demo data into a database that has no users yet (`npm start` on a fresh
 * database), in foreign-key order and in one transaction. A database with users is left
 * alone: the demo never overwrites what someone changed. `npx athanor seed` seeds always
 * (idempotently: equal rows are left alone, changed ones restored).
 *
 * @example
 * ```ts
 * const result = await seedDemoData(sessions); // undefined: the database had users already
 * ```
 */
export async function seedDemoData(sessions: SessionFactory<DB>): Promise<SeedResult | undefined> {
  const existing = await sessions.run((db) => db.selectFrom("users").select("id").limit(1).executeTakeFirst(), { readOnly: true });
  if (existing !== undefined) return undefined;
  const result = await seed(sessions, schema, fixtures);
  if (!result.ok) throw result.error;
  return result;
}
