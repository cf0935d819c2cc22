// #region config
// athanor.config.ts
import { defineConfig } from "athanor";

export default defineConfig({
  url: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
  migrations: "./migrations",
  schema: "./src/schema.ts", // exports `schema`
  seeds: "./src/fixtures.ts", // exports `fixtures`: what `athanor seed` inserts
});
// #endregion config
