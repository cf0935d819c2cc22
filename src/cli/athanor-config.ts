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
