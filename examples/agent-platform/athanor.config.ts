// The athanor CLI's view of the agent platform. Run it from this folder:
//   cd examples/agent-platform && npx athanor upgrade head   (or check, seed, current, history…)
import { defineConfig } from "athanor";

export default defineConfig({
  // The service's own default (src/service-config.ts): ./data/agent-platform.db at the repository
  // root, where `npm start` runs. SQLite paths are relative to the working directory.
  url: process.env.DATABASE_URL ?? "sqlite:../../data/agent-platform.db",
  migrations: "./migrations",
  schema: "./src/schema.ts",
  seeds: "./src/demo-fixtures.ts",
});
