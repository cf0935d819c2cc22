import { execFile } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll } from "vitest";
import { createTestDatabase, type TestDialectName } from "../../src/testing/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OUT = join(ROOT, ".tmp", `docs-programs-${process.pid}`);
const bundles = new Map<string, Promise<string>>();

// Registered in the root suite of each test file that imports this module.
afterAll(() => rm(OUT, { recursive: true, force: true }));

/** What a documentation program did: its exit code and its output. */
export interface ProgramRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `examples/docs/<program>` to completion with plain `node` and `DATABASE_URL=url`, from
 * the sources: the program is bundled once per test file by esbuild (tsconfig's paths map
 * `athanor` to `src/`; packages stay external), so running it on four dialects costs one
 * TypeScript compile, not four cold tsx start-ups. test/package-consumers.test.ts runs the same
 * programs as installed.
 *
 * @example
 * ```ts
 * const result = await runDocsProgram("seeding.ts", database.url);
 * expect(result.code).toBe(0);
 * ```
 */
export async function runDocsProgram(program: string, url: string): Promise<ProgramRun> {
  const bundle = await bundled(program);
  return new Promise((resolve) => {
    execFile(process.execPath, [bundle], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

/**
 * A database for one run of a documentation program: a fresh test database of `dialect`,
 * except on PGlite, where an in-memory database lives in one process only, so the program is
 * handed `pglite::memory:` and starts its own (nothing is started here to be thrown away).
 */
export async function programDatabase(dialect: TestDialectName): Promise<{ readonly url: string; drop(): Promise<void> }> {
  if (dialect === "pglite") return { url: "pglite::memory:", drop: async () => {} };
  return createTestDatabase(dialect);
}

function bundled(program: string): Promise<string> {
  let bundle = bundles.get(program);
  if (bundle === undefined) {
    bundle = (async () => {
      await mkdir(OUT, { recursive: true });
      // Inside the repository, so the bundle's bare imports (kysely, pg, fastify) resolve from node_modules.
      const outfile = join(OUT, program.replace(/\.ts$/, ".mjs"));
      await build({
        entryPoints: [join(ROOT, "examples", "docs", program)],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        outfile,
        packages: "external",
        tsconfig: join(ROOT, "tsconfig.json"),
        logLevel: "silent",
      });
      return outfile;
    })();
    bundles.set(program, bundle);
  }
  return bundle;
}
