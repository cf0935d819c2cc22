import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const PROCESSES = 10;
// Five rounds of ten processes prove the lock (the lockless run breaks within five); `npm run
// test:soak` runs fifty.
const ROUNDS = Number(process.env.ATHANOR_RACE_ROUNDS ?? 5);
const REVISIONS = 5;

/** Each revision creates a table and logs itself once in race_log: a double application shows. */
function revision(index: number): string {
  const id = `r${index}`;
  const down = index === 1 ? null : `r${index - 1}`;
  const createLog = index === 1 ? `await op.db.schema.createTable("race_log").addColumn("revision", "varchar(16)").execute();` : "";
  return `export default {
  revision: "${id}", downRevision: ${JSON.stringify(down)}, message: "race ${index}",
  async up(op) {
    ${createLog}
    await op.db.schema.createTable("race_${index}").addColumn("id", "integer").execute();
    await op.db.insertInto("race_log").values({ revision: "${id}" }).execute();
  },
  async down(op) { await op.db.schema.dropTable("race_${index}").execute(); },
};
`;
}

let childScript: string;

/** How long after spawning a round's processes they all start upgrading (their start-up takes about this long on 2 cores). */
const START_DELAY_MILLIS = 600;

function runChild(url: string, folder: string, lock: "lock" | "no-lock", startAt: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [childScript, url, folder, lock, String(startAt)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

async function race(dialect: "postgres" | "sqlite-file", folder: string, lock: "lock" | "no-lock") {
  const database = await createTestDatabase(dialect);
  try {
    const startAt = Date.now() + START_DELAY_MILLIS;
    const children = await Promise.all(Array.from({ length: PROCESSES }, () => runChild(database.url, folder, lock, startAt)));
    const engine = createEngine(database.url);
    try {
      const log = (await engine.db.selectFrom("race_log").select("revision").execute().catch(() => [])) as Array<{ revision: string }>;
      const versions = (await engine.db.selectFrom("athanor_revisions").select("revision").execute().catch(() => [])) as Array<{ revision: string }>;
      return { children, log: log.map((row) => row.revision).sort(), versions: versions.map((row) => row.revision).sort() };
    } finally {
      await engine.dispose();
    }
  } finally {
    await database.drop();
  }
}

const expected = Array.from({ length: REVISIONS }, (_, i) => `r${i + 1}`).sort();

describeEachDialect(
  "10 processes racing upgrade head",
  (context) => {
    let folder: string;
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), "athanor-race-"));
      for (let index = 1; index <= REVISIONS; index++) await writeFile(join(folder, `${String(index).padStart(3, "0")}_r${index}.mjs`), revision(index));
      // Ten cold TypeScript-transpiling processes per round would measure tsx, not the lock:
      // the child is bundled to plain JavaScript once.
      // Inside the repository, so the bundle's bare imports (kysely, pg) resolve from node_modules.
      const outDirectory = fileURLToPath(new URL("../.tmp/", import.meta.url));
      childScript = join(outDirectory, `race-upgrade-${process.pid}.mjs`);
      await build({
        entryPoints: [fileURLToPath(new URL("./fixtures/race-upgrade.ts", import.meta.url))],
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
      await rm(folder, { recursive: true, force: true });
      await rm(childScript, { force: true });
    });

    it(`applies every revision exactly once and every process exits 0, ${ROUNDS} rounds`, async () => {
      for (let round = 1; round <= ROUNDS; round++) {
        const outcome = await race(context.name as "postgres" | "sqlite-file", folder, "lock");
        const failures = outcome.children.filter((child) => child.code !== 0);
        expect(failures.map((child) => child.stderr), `round ${round}`).toEqual([]);
        expect(outcome.log, `round ${round}: race_log`).toEqual(expected);
        expect(outcome.versions, `round ${round}: version table`).toEqual(expected);
      }
    }, 600_000);

    it("fails without the lock (the test has teeth)", async () => {
      let broken = false;
      for (let round = 1; round <= 5 && !broken; round++) {
        const outcome = await race(context.name as "postgres" | "sqlite-file", folder, "no-lock");
        const doubled = outcome.log.length !== REVISIONS || outcome.versions.length !== REVISIONS;
        broken = outcome.children.some((child) => child.code !== 0) || doubled;
      }
      expect(broken).toBe(true);
    }, 300_000);
  },
  ["sqlite-file", "postgres"],
);
