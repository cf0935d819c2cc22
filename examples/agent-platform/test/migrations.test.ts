// The service's migrations: TypeScript revisions and seed-003-style .sql revisions, applied by
// the athanor CLI from examples/agent-platform (its athanor.config.ts), in sync with schema.ts
// (`athanor check`), reversible to base, and the demo seed idempotent.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createEngine } from "athanor";
import { checkSchema, createMigrator } from "athanor/migrate";
import { seed } from "athanor/seed";
import { createTestDatabase } from "athanor/testing";
import { serviceRevisions } from "../src/database/migrations-directory.js";
import { fixtures } from "../src/demo-fixtures.js";
import { schema } from "../src/schema.js";
import { ROOT } from "./support/child-process.js";
import { DIALECTS, freshDatabase } from "./support/migrated-database.js";

const run = promisify(execFile);

/** `npx athanor <args>` in the service's folder, as its README says to run it. */
async function athanor(url: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [`${ROOT}bin/athanor.js`, ...args], { cwd: `${ROOT}examples/agent-platform`, env: { ...process.env, DATABASE_URL: url } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.concurrent.each(DIALECTS.map((dialect): "postgres" | "sqlite-file" => (dialect === "postgres" ? "postgres" : "sqlite-file")))("migrations [%s]", (kind) => {
  // The CLI (a process of its own each time) on one database: PostgreSQL when a server answers; both below.
  it.runIf(kind === (DIALECTS.includes("postgres") ? "postgres" : "sqlite-file"))("`athanor upgrade head` applies every revision (two of them plain .sql), `athanor check` finds the database equal to schema.ts", async () => {
    const database = await createTestDatabase(kind);
    try {
      const upgrade = await athanor(database.url, "upgrade", "head");
      expect(upgrade.code, upgrade.stderr).toBe(0);
      expect(upgrade.stdout).toMatch(/add thinking to messages \(.*\.sql\) … applied/);
      expect(upgrade.stdout).toMatch(/fix message cascade delete \(.*\.sql\) … applied/);
      const check = await athanor(database.url, "check");
      expect(check, check.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining("the database matches the schema") });
    } finally {
      await database.drop();
    }
  }, 60_000);

  it("downgrades to base and back, still equal to schema.ts; seeding the demo twice changes nothing the second time", async () => {
    const database = await freshDatabase(kind); // at head already
    const engine = createEngine(database.url, { schema });
    try {
      const migrator = createMigrator(engine, { scripts: [...(await serviceRevisions())] });
      const down = await migrator.downgrade("base");
      expect(down.ok).toBe(true);
      expect(down.steps.map((step) => step.status)).toEqual(Array(5).fill("reverted"));
      expect((await migrator.upgrade("head")).ok).toBe(true);
      expect((await checkSchema(engine, schema)).inSync).toBe(true);
      const first = await seed(engine, schema, fixtures); // what `npx athanor seed` runs (athanor.config.ts names the fixtures)
      const second = await seed(engine, schema, fixtures);
      expect(first.ok && second.ok).toBe(true);
      expect(second.tables.every((table) => table.inserted === 0 && table.updated === 0)).toBe(true);
      expect(second.tables.map((table) => table.table)).toEqual(first.tables.map((table) => table.table)); // in foreign-key order
    } finally {
      await engine.dispose();
      await database.drop();
    }
  }, 60_000);
});
