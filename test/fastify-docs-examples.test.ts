import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createTestDatabase, type TestDialectName } from "../src/testing/index.js";
import { ALL_DIALECTS } from "./support/each-dialect.js";
import { postgresUnavailable } from "./support/postgres-admin.js";

// docs/fastify.md's examples are programs: each runs to completion on every dialect, from the
// sources (tsx and tsconfig's paths). test/package-consumers.test.ts runs them as installed.
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PROGRAMS = readdirSync(new URL("../examples/docs", import.meta.url)).filter((name) => /^fastify-.*\.ts$/.test(name)).sort();

function run(program: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", `examples/docs/${program}`], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

describe("docs/fastify.md examples", () => {
  it("finds them", () => {
    expect(PROGRAMS).toEqual(expect.arrayContaining(["fastify-app.ts", "fastify-main.ts", "fastify-test.ts", "fastify-websocket.ts"]));
  });

  for (const dialect of ALL_DIALECTS as readonly TestDialectName[]) {
    it.skipIf(dialect === "postgres" && postgresUnavailable).each(PROGRAMS)(`%s runs on ${dialect}`, async (program) => {
      const database = await createTestDatabase(dialect);
      try {
        const result = await run(program, database.url);
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
