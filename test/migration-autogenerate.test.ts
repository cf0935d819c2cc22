import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { introspectSchema } from "../src/schema/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const SRC = new URL("../src/", import.meta.url).pathname;

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await runCli(argv, { stdout: sink((text) => (out += text)), stderr: sink((text) => (err += text)), cwd });
  return { code, out, err };
}

/** Generated revisions import "athanor/migrate"; in this repository that is ../src/migrate. */
async function pointAtSource(folder: string): Promise<void> {
  for (const name of await readdir(folder)) {
    if (!name.endsWith(".ts")) continue;
    const path = join(folder, name);
    await writeFile(path, (await readFile(path, "utf8")).replace('"athanor/migrate"', JSON.stringify(`${SRC}migrate/index.js`)));
  }
}

const V1 = `
import { boolean, defineSchema, index, table, text, uuid, varchar } from ${JSON.stringify(`${SRC}schema/index.js`)};
export const users = table("ag_users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  isActive: boolean().notNull().default(true),
  legacy: text(),
});
export const agents = table("ag_agents", {
  id: uuid().primaryKey().defaultRandom(),
  ownerId: uuid().notNull(),
  name: varchar(50).notNull(),
  schedule: text(),
}, (t) => [index("ix_ag_agents_name").on(t.name)]);
export const schema = defineSchema({ users, agents });
`;

const V2 = `
import { boolean, check, defineSchema, enumeration, index, integer, table, text, timestamp, uuid } from ${JSON.stringify(`${SRC}schema/index.js`)};
export const users = table("ag_users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text(),
  isActive: boolean().notNull().default(false),
  bio: text(),
});
export const agents = table("ag_agents", {
  id: uuid().primaryKey().defaultRandom(),
  ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text().notNull(),
  schedule: text(),
  priority: integer().notNull().default(0),
}, (t) => [index("ix_ag_agents_name").on(t.name), index("ix_ag_agents_owner_id").on(t.ownerId)]);
export const runs = table("ag_runs", {
  id: integer().primaryKey().identity(),
  agentId: uuid().notNull().references(() => agents.id, { onDelete: "cascade" }),
  status: enumeration(["queued", "done"]).notNull().default("queued"),
  startedAt: timestamp().defaultNow(),
  attempts: integer().notNull().default(0),
}, (t) => [check("ag_runs_attempts_positive", "attempts >= 0")]);
export default defineSchema({ users, agents, runs });
`;

const ANN = "00000000-0000-4000-8000-000000000001";
const BOB = "00000000-0000-4000-8000-000000000002";

describeEachDialect(
  "autogenerate round trip",
  (dialect) => {
    let cwd: string;
    let engine: Engine;
    beforeAll(async () => {
      cwd = await mkdtemp(join(tmpdir(), "athanor-autogen-"));
      const config = (schema: string) => `import { defineConfig } from ${JSON.stringify(`${SRC}index.js`)};
export default defineConfig({ url: ${JSON.stringify(dialect.url())}, migrations: "./migrations", schema: "${schema}" });
`;
      await writeFile(join(cwd, "athanor.v1.config.ts"), config("./schema-v1.ts"));
      await writeFile(join(cwd, "athanor.v2.config.ts"), config("./schema-v2.ts"));
      await writeFile(join(cwd, "schema-v1.ts"), V1);
      await writeFile(join(cwd, "schema-v2.ts"), V2);
      engine = createEngine(dialect.url());
    });
    afterAll(async () => {
      await engine.dispose();
      await rm(cwd, { recursive: true, force: true });
    });

    it("v1 → autogenerate → upgrade → v2 (data kept) → autogenerate → upgrade → check → downgrade base", async () => {
      const v1 = ["--config", "athanor.v1.config.ts"];
      const v2 = ["--config", "athanor.v2.config.ts"];
      const before = await cli(cwd, "check", ...v1);
      expect(before.code).toBe(1);
      // Each operation whole, as the revision would hold it: the table's columns, not only its first line.
      expect(before.out).toContain('await op.createTable("ag_users", {');
      expect(before.out).toMatch(/createTable\("ag_users", \{\n(\s+.*\n)*?\s+.*"email"/);

      const first = await cli(cwd, "revision", "--autogenerate", "-m", "schema v1", ...v1);
      expect(first.err).toBe("");
      expect(first.code).toBe(0);
      expect(first.out).toContain('await op.createTable("ag_users", {');
      await pointAtSource(join(cwd, "migrations"));
      expect((await cli(cwd, "upgrade", ...v1)).code).toBe(0);
      const inSync = await cli(cwd, "check", ...v1);
      expect(inSync.out).toContain("matches");
      expect(inSync.code).toBe(0);

      await engine.db.insertInto("ag_users").values({ id: ANN, email: "ann@example.com", name: "Ann", isActive: false, legacy: "x" }).execute();
      await engine.db.insertInto("ag_users").values({ id: BOB, email: "bob@example.com", name: "Bob" }).execute();
      await engine.db.insertInto("ag_agents").values([
        { id: "00000000-0000-4000-8000-0000000000a1", ownerId: ANN, name: "alpha", schedule: "*/5 * * * *" },
        { id: "00000000-0000-4000-8000-0000000000a2", ownerId: BOB, name: "beta", schedule: null },
      ]).execute();

      const differs = await cli(cwd, "check", ...v2, "--json");
      expect(differs.out + differs.err).not.toContain("error");
      expect(differs.code).toBe(1);
      expect((JSON.parse(differs.out) as { inSync: boolean }).inSync).toBe(false);

      const second = await cli(cwd, "revision", "--autogenerate", "-m", "schema v2", ...v2, "--json");
      expect(second.err).toBe("");
      const created = JSON.parse(second.out) as { path: string; operations: Array<{ kind: string }> };
      const text = await readFile(created.path, "utf8");
      expect(text).toContain('await op.dropColumn("ag_users", "legacy");');
      expect(text).toContain('await op.addColumn("ag_users", { name: "bio", type: "text" });');
      expect(text).toContain('await op.alterColumn("ag_users", "name", { nullable: true });');
      expect(text).toContain('await op.alterColumn("ag_users", "isActive", { default: { value: false } });');
      expect(text).toContain('await op.alterColumn("ag_agents", "name", { type: "text" });');
      expect(text).toContain('await op.addForeignKey("ag_agents", { columns: ["ownerId"], referencedTable: "ag_users", referencedColumns: ["id"], onDelete: "cascade" });');
      expect(text).toContain('await op.createIndex("ag_agents", { name: "ix_ag_agents_owner_id", columns: ["ownerId"] });');
      expect(text).toContain('await op.createTable("ag_runs", {');
      expect(text).toContain('checks: [{ name: "ag_runs_attempts_positive", sql: "attempts >= 0" }]');
      // down undoes up in reverse order
      expect(text.indexOf('await op.dropTable("ag_runs");')).toBeGreaterThan(text.indexOf("async down(op)"));
      expect(text).toContain('await op.addColumn("ag_users", { name: "legacy", type: "text" });');
      await pointAtSource(join(cwd, "migrations"));

      const upgrade = await cli(cwd, "upgrade", ...v2);
      expect(upgrade.err).toBe("");
      expect(upgrade.code).toBe(0);
      const check = await cli(cwd, "check", ...v2);
      expect(check.out).toContain("matches");
      expect(check.code).toBe(0);

      // Data preserved through ALTERs (PostgreSQL) and table rebuilds (SQLite).
      const users = await engine.db.selectFrom("ag_users").select(["id", "email", "name", "isActive", "bio"]).orderBy("email").execute();
      expect(users.map((row) => [row.id, row.email, row.name, Boolean(row.isActive), row.bio])).toEqual([
        [ANN, "ann@example.com", "Ann", false, null],
        [BOB, "bob@example.com", "Bob", true, null],
      ]);
      const agents = await engine.db.selectFrom("ag_agents").select(["ownerId", "name", "schedule", "priority"]).orderBy("name").execute();
      expect(agents).toEqual([
        { ownerId: ANN, name: "alpha", schedule: "*/5 * * * *", priority: 0 },
        { ownerId: BOB, name: "beta", schedule: null, priority: 0 },
      ]);
      // The new foreign keys cascade, the new check and enum hold.
      await engine.db.insertInto("ag_runs").values({ agentId: "00000000-0000-4000-8000-0000000000a1" }).execute();
      await expect(engine.db.insertInto("ag_runs").values({ agentId: "00000000-0000-4000-8000-0000000000a1", attempts: -1 }).execute()).rejects.toThrow();
      await expect(engine.db.insertInto("ag_runs").values({ agentId: "00000000-0000-4000-8000-0000000000a1", status: "lost" }).execute()).rejects.toThrow();
      await engine.db.deleteFrom("ag_users").where("id", "=", ANN).execute();
      expect(await engine.db.selectFrom("ag_agents").select("name").execute()).toEqual([{ name: "beta" }]);
      expect(await engine.db.selectFrom("ag_runs").selectAll().execute()).toEqual([]);

      // Back to v1 by the generated down, data of the kept columns intact.
      const back = await cli(cwd, "downgrade", "-1", ...v1);
      expect(back.err).toBe("");
      expect(back.code).toBe(0);
      expect((await cli(cwd, "check", ...v1)).code).toBe(0);
      expect(await engine.db.selectFrom("ag_users").select(["email", "name"]).execute()).toEqual([{ email: "bob@example.com", name: "Bob" }]);

      const base = await cli(cwd, "downgrade", "base", ...v1);
      expect(base.code).toBe(0);
      expect((await introspectSchema(engine)).tables.map((table) => table.name)).toEqual(["athanor_revisions"]);
    });

    it("refuses to autogenerate when the database is not at head", async () => {
      const result = await cli(cwd, "revision", "--autogenerate", "-m", "again", "--config", "athanor.v2.config.ts");
      expect(result.code).toBe(1);
      expect(result.err).toContain("DATABASE_NOT_AT_HEAD");
    });
  },
  ["sqlite-file", "postgres"],
);
