import { describe, expect, it } from "vitest";
import type { TestDialectName } from "../src/testing/index.js";
import { ALL_DIALECTS } from "./support/each-dialect.js";
import { programDatabase, runDocsProgram } from "./support/docs-program.js";
import { postgresUnavailable } from "./support/postgres-admin.js";

// The programs behind docs/sessions.md (run() inside run()), docs/errors.md (constraint errors) and
// docs/seeding.md run to completion on every dialect, from the sources (bundled once by esbuild with
// tsconfig's paths, run by plain node).
// test/package-consumers.test.ts runs them again as installed.
const PROGRAMS = ["sessions-propagation.ts", "constraint-errors.ts", "seeding.ts", "seeding-config.ts", "vectors.ts", "observability.ts", "pipelining.ts"];

describe("documentation programs", () => {
  for (const dialect of ALL_DIALECTS as readonly TestDialectName[]) {
    it.skipIf(dialect === "postgres" && postgresUnavailable).each(PROGRAMS)(`%s runs on ${dialect}`, async (program) => {
      const database = await programDatabase(dialect);
      try {
        const result = await runDocsProgram(program, database.url);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
      } finally {
        await database.drop();
      }
    }, 60_000);
  }

  // docs/engine.md's PGlite program opens its own pglite::memory: database whatever DATABASE_URL says.
  it("pglite.ts runs on its own in-memory PGlite", async () => {
    const result = await runDocsProgram("pglite.ts", "pglite::memory:");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("true");
  }, 60_000);
});
