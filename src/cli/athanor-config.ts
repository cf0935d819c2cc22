import type { EngineOptions } from "../engine/engine-options.js";

/**
 * `athanor.config.ts`: what the CLI works on.
 *
 * @example
 * ```ts
 * // athanor.config.ts
 * import { defineConfig } from "athanor";
 * export default defineConfig({
 *   url: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
 *   migrations: "./migrations",
 *   schema: "./src/schema.ts",
 *   seeds: "./src/fixtures.ts",
 * });
 * ```
 */
export interface AthanorConfig {
  /** Database URL. Default: `DATABASE_URL`, else `sqlite:./data/app.db`. */
  readonly url?: string;
  /**
   * A URL that reaches PostgreSQL directly, not through a transaction pooler: when set, the
   * migration commands (`upgrade`, `downgrade`, `stamp`, `current`, `history --applied`) use it
   * instead of `url`, with the same engine options but `pooler: "none"` (as Prisma's
   * `directUrl`). Without it, behind `pooler: "transaction"` migrations run in one transaction
   * under a transaction-level lock, and revisions that run outside a transaction are refused.
   *
   * @example
   * ```ts
   * export default defineConfig({
   *   url: process.env.DATABASE_URL, // postgres://app@pgbouncer:6432/app?pooler=transaction
   *   directUrl: process.env.DIRECT_DATABASE_URL, // postgres://app@db:5432/app
   * });
   * ```
   */
  readonly directUrl?: string;
  /** Engine options for the CLI's engine. */
  readonly engine?: EngineOptions;
  /** Migrations folder, relative to the config file. Default `./migrations`. */
  readonly migrations?: string;
  /**
   * The module declaring the schema, relative to the config file (e.g. `./src/schema.ts`):
   * its `schema` export, else its default export (a `defineSchema(…)`). Needed by
   * `revision --autogenerate` and `check`.
   */
  readonly schema?: string;
  /**
   * The module holding seed fixtures, relative to the config file (e.g. `./src/fixtures.ts`):
   * its `fixtures` export, else its default export, a `Fixtures<DB>` object (`{ users: rows[] }`,
   * or `{ users: { ada: row } }` to name rows for `ref()`). Needed by `athanor seed`, which
   * seeds it idempotently with the configured `schema` (see docs/seeding.md).
   *
   * @example
   * ```ts
   * // src/fixtures.ts
   * import { ref, type Fixtures } from "athanor/seed";
   * export const fixtures: Fixtures<DB> = {
   *   users: { ada: { email: "ada@example.com", name: "Ada" } },
   *   squads: [{ userId: ref("users", "ada"), name: "core" }],
   * };
   * ```
   */
  readonly seeds?: string;
  /** Version table name. Default `athanor_revisions`. */
  readonly versionTable?: string;
  /** How long to wait for another migrator's lock. Default 60 000. */
  readonly lockTimeoutMillis?: number;
}

/** Types an `athanor.config.ts` (identity at run time). */
export function defineConfig(config: AthanorConfig): AthanorConfig {
  return config;
}
