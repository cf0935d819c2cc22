import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createTestDatabase, type TestDialectName } from "../src/testing/index.js";
import { ALL_DIALECTS } from "./support/each-dialect.js";
import { postgresUnavailable } from "./support/postgres-admin.js";

// The programs behind docs/sessions.md (run() inside run()), docs/errors.md (constraint errors) and
// docs/seeding.md run to completion on every dialect, from the sources (tsx and tsconfig's paths).
// test/package-consumers.test.ts runs them again as installed.
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PROGRAMS = ["sessions-propagation.ts", "constraint-errors.ts", "seeding.ts", "seeding-config.ts", "vectors.ts", "pglite.ts", "observability.ts"];

function run(program: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", `examples/docs/${program}`], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

describe("documentation programs", () => {
  for (const dialect of ALL_DIALECTS as readonly TestDialectName[]) {
    it.skipIf(dialect === "postgres" && postgresUnavailable).each(PROGRAMS)(`%s runs on ${dialect}`, async (program) => {
      const database = await createTestDatabase(dialect);
      try {
        const result = await run(program, database.url);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
      } finally {
        await database.drop();
      }
    }, 60_000);
  }
});
