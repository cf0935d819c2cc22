// athanor.config.ts behind PgBouncer: the application's URL goes through the pooler, migrations do not.
import { defineConfig } from "athanor";

export default defineConfig({
  url: process.env.DATABASE_URL ?? "sqlite:./data/app.db", // postgres://app@pgbouncer:6432/app?pooler=transaction
  directUrl: process.env.DIRECT_DATABASE_URL, // postgres://app@db:5432/app: upgrade, downgrade, stamp, current
  migrations: "./migrations",
});
