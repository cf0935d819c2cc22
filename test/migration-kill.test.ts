import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../src/index.js";
import { createMigrator, loadRevisionScripts } from "../src/migrate/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const SLOW_REVISION = `export default {
  revision: "slow1", downRevision: null, message: "slow",
  async up(op) {
    await op.db.schema.createTable("kill_t").addColumn("id", "integer").execute();
    process.stdout.write("inside revision\\n");
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  },
};
`;

describeEachDialect(
  "a migrator killed with SIGKILL mid-revision",
  (context) => {
    let folder: string;
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), "athanor-kill-"));
      await writeFile(join(folder, "001_slow.mjs"), SLOW_REVISION);
    });
    afterAll(() => rm(folder, { recursive: true, force: true }));

    it("leaves no stale lock and no half-applied revision", async () => {
      const url = context.url();
      const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/race-upgrade.ts", url, folder, "lock"], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => chunk.includes("inside revision") && resolve());
        child.once("exit", (code) => reject(new Error(`migrator exited early with ${code}`)));
      });
      child.kill("SIGKILL");
      await once(child, "exit");

      const engine = createEngine(url);
      try {
        const fast = (await loadRevisionScripts(folder)).map((script) => ({ ...script, up: async () => undefined }));
        const migrator = createMigrator(engine, { scripts: fast, lockTimeoutMillis: 5_000 });
        expect((await migrator.status()).heads).toEqual([]); // the killed transaction never committed
        const tables = (await engine.db.introspection.getTables()).map((table) => table.name);
        expect(tables).not.toContain("kill_t");
        const result = await migrator.upgrade("head"); // would time out on a stale lock
        expect(result.ok).toBe(true);
      } finally {
        await engine.dispose();
      }
    });
  },
  ["sqlite-file", "postgres"],
);
