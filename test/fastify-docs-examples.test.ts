import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TestDialectName } from "../src/testing/index.js";
import { ALL_DIALECTS } from "./support/each-dialect.js";
import { programDatabase, runDocsProgram } from "./support/docs-program.js";
import { postgresUnavailable } from "./support/postgres-admin.js";

// docs/fastify.md's examples are programs: each runs to completion on every dialect, from the
// sources (bundled once by esbuild with tsconfig's paths, run by plain node).
// test/package-consumers.test.ts runs them as installed.
const PROGRAMS = readdirSync(new URL("../examples/docs", import.meta.url)).filter((name) => /^fastify-.*\.ts$/.test(name)).sort();

describe("docs/fastify.md examples", () => {
  it("finds them", () => {
    expect(PROGRAMS).toEqual(expect.arrayContaining(["fastify-app.ts", "fastify-main.ts", "fastify-test.ts", "fastify-websocket.ts"]));
  });

  for (const dialect of ALL_DIALECTS as readonly TestDialectName[]) {
    it.skipIf(dialect === "postgres" && postgresUnavailable).each(PROGRAMS)(`%s runs on ${dialect}`, async (program) => {
      const database = await programDatabase(dialect);
      try {
        const result = await runDocsProgram(program, database.url);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        if (program === "fastify-main.ts") expect(result.stdout).toContain("ok 200");
        if (program === "fastify-websocket.ts") expect(result.stdout).toContain("[ 'hello', 'hello' ]");
      } finally {
        await database.drop();
      }
    }, 60_000);
  }
});
