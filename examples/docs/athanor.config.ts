// athanor.config.ts: what the CLI works on (TypeScript through tsx, or athanor.config.mjs).
import { defineConfig } from "athanor";

export default defineConfig({
  url: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
  migrations: "./migrations",
  schema: "./src/schema.ts", // for revision --autogenerate, check and reset: exports `schema` (or a default export)
  seeds: "./src/fixtures.ts", // for athanor seed: exports `fixtures` (or a default export)
  // versionTable: "athanor_revisions", lockTimeoutMillis: 60_000, engine: { … engine options … }
});
