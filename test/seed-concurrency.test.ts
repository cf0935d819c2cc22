import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import { dropAll, initializeDatabase } from "../src/schema/index.js";
import { agentPlatform } from "./support/agent-platform-schema.js";
import { CONCURRENT_SEED_ROWS } from "./support/concurrent-seed-fixtures.js";
import { describeEachDialect } from "./support/each-dialect.js";

const PROCESSES = 5;
const ROUNDS = Number(process.env.ATHANOR_SEED_RACE_ROUNDS ?? 3);
/** How long after spawning a round's processes they all start seeding (their start-up takes about this long on 2 cores). */
const START_DELAY_MILLIS = 500;

let childScript: string;

beforeAll(async () => {
  // Bundled once to plain JavaScript: five cold TypeScript-transpiling processes per round
  // would measure tsx, not the race. Inside the repository, so bare imports resolve.
  childScript = fileURLToPath(new URL(`../.tmp/seed-concurrently-${process.pid}.mjs`, import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL("./fixtures/seed-concurrently.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: childScript,
    packages: "external",
    logLevel: "silent",
  });
});
afterAll(async () => {
  await rm(childScript, { force: true });
});

function runChild(url: string, startAt: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [childScript, url, String(startAt)], { stdio: ["ignore", "ignore", "pipe"], cwd: join(fileURLToPath(new URL("..", import.meta.url))) });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describeEachDialect(
  `${PROCESSES} processes seeding the same fixtures at once`,
  (ctx) => {
    it(`all succeed and every row exists once, ${ROUNDS} rounds`, async () => {
      const engine = createEngine(ctx.url(), { schema: agentPlatform });
      try {
        for (let round = 1; round <= ROUNDS; round++) {
          await dropAll(engine, agentPlatform);
          await initializeDatabase(engine, agentPlatform);
          const startAt = Date.now() + START_DELAY_MILLIS;
          const children = await Promise.all(Array.from({ length: PROCESSES }, () => runChild(ctx.url(), startAt)));
          expect(children.filter((child) => child.code !== 0).map((child) => child.stderr), `round ${round}`).toEqual([]);
          const count = async (table: "users" | "squads" | "squad_members") =>
            Number((await engine.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
          expect([await count("users"), await count("squads"), await count("squad_members")], `round ${round}`).toEqual([
            CONCURRENT_SEED_ROWS,
            CONCURRENT_SEED_ROWS / 2,
            CONCURRENT_SEED_ROWS / 2,
          ]);
        }
      } finally {
        await engine.dispose();
      }
    }, 60_000);
  },
  ["sqlite-file", "postgres"],
);
