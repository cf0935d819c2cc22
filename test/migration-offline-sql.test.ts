import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../src/index.js";
import { loadRevisionScripts } from "../src/migrate/index.js";
import { renderMigrationSql } from "../src/migrate/render-migration-sql.js";
import { createTestDatabase } from "../src/testing/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const run = promisify(execFile);

const REVISIONS: Record<string, string> = {
  "001_a1.mjs": `export default {
  revision: "a1", downRevision: null, message: "users",
  async up(op) {
    await op.db.schema.createTable("off_users")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("name", "varchar(100)", (c) => c.notNull().defaultTo("nobody"))
      .execute();
    await op.db.schema.createIndex("ix_off_users_name").on("off_users").column("name").execute();
    await op.db.insertInto("off_users").values([{ id: 1, name: "O'Brien; drop table x" }, { id: 2, name: "question ? mark" }]).execute();
  },
  async down(op) { await op.db.schema.dropTable("off_users").execute(); },
};
`,
  "002_b2.mjs": `export default {
  revision: "b2", downRevision: "a1", message: "agents",
  async up(op) {
    await op.db.schema.createTable("off_agents")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("owner_id", "integer", (c) => c.references("off_users.id").onDelete("cascade"))
      .execute();
    await op.execute("insert into off_agents (id, owner_id) values (10, 1)");
  },
  async down(op) { await op.db.schema.dropTable("off_agents").execute(); },
};
`,
};

async function runScript(dialect: "postgres" | "sqlite-file", url: string, path: string): Promise<void> {
  if (dialect === "postgres") {
    await run("psql", ["-v", "ON_ERROR_STOP=1", "-q", "-f", path, url]);
  } else {
    await run("sqlite3", ["-bail", url.slice("sqlite:".length), `.read ${path}`]);
  }
}

describeEachDialect(
  "offline SQL (--sql)",
  (context) => {
    let folder: string;
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), "athanor-offline-"));
      for (const [name, text] of Object.entries(REVISIONS)) await writeFile(join(folder, name), text);
    });
    afterAll(() => rm(folder, { recursive: true, force: true }));

    it(`renders upgrade and downgrade SQL that runs cleanly through ${context.isPostgres ? "psql" : "sqlite3"}`, async () => {
      const dialect = context.isPostgres ? "postgres" : "sqlite";
      const scripts = await loadRevisionScripts(folder);
      const upgrade = await renderMigrationSql({ dialect, scripts, direction: "upgrade", target: "head" });
      expect(upgrade).toContain("-- upgrade a1: users (001_a1.mjs)");
      expect(upgrade).not.toMatch(/\$1|\?\s*[,)]/); // values are literals, not placeholders
      const database = await createTestDatabase(context.name);
      try {
        const upPath = join(folder, "up.sql");
        await writeFile(upPath, upgrade);
        await runScript(context.name as "postgres" | "sqlite-file", database.url, upPath);
        const engine = createEngine(database.url);
        try {
          const users = await engine.db.selectFrom("off_users").select(["id", "name"]).orderBy("id").execute();
          expect(users).toEqual([
            { id: 1, name: "O'Brien; drop table x" },
            { id: 2, name: "question ? mark" },
          ]);
          expect(await engine.db.selectFrom("off_agents").selectAll().execute()).toEqual([{ id: 10, owner_id: 1 }]);
          const versions = await engine.db.selectFrom("athanor_revisions").select(["revision", "checksum"]).orderBy("revision").execute();
          expect(versions.map((row) => row.revision)).toEqual(["a1", "b2"]);
          expect(versions[0]!.checksum).toBe(scripts.find((script) => script.revision === "a1")!.checksum);
        } finally {
          await engine.dispose();
        }
        const downgrade = await renderMigrationSql({ dialect, scripts, direction: "downgrade", target: "base", from: "head" });
        const downPath = join(folder, "down.sql");
        await writeFile(downPath, downgrade);
        await runScript(context.name as "postgres" | "sqlite-file", database.url, downPath);
        const engine2 = createEngine(database.url);
        try {
          const tables = (await engine2.db.introspection.getTables()).map((table) => table.name);
          expect(tables).toEqual(["athanor_revisions"]);
          expect(await engine2.db.selectFrom("athanor_revisions").selectAll().execute()).toEqual([]);
        } finally {
          await engine2.dispose();
        }
      } finally {
        await database.drop();
      }
    });
  },
  ["sqlite-file", "postgres"],
);
