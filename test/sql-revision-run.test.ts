import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, expect, it } from "vitest";
import { createEngine, MigrationFailedStateError, type Engine } from "../src/index.js";
import { createMigrator, loadRevisionScripts } from "../src/migrate/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const header = (revision: string, down: string | null, extra = "") =>
  `-- athanor:revision ${revision}\n-- athanor:down-revision ${down ?? "none"}\n${extra}-- athanor:up\n`;

describeEachDialect(".sql revisions with BEGIN/COMMIT and dialect sections", (context) => {
  let directory: string;
  let engine: Engine;
  let warnings: string[];
  const folders: string[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "athanor-sql-run-"));
    folders.push(directory);
    warnings = [];
    engine = createEngine(await context.freshUrl(), { log: (record) => void (record.level === "warn" && warnings.push(`${record.event}: ${record.message}`)) });
  });
  afterEach(() => engine.dispose());
  afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

  const write = (name: string, text: string) => writeFile(join(directory, name), text);
  const migrator = async () => createMigrator(engine, { scripts: await loadRevisionScripts(directory), directory });
  const tables = async () => (await engine.db.introspection.getTables()).map((table) => table.name).filter((name) => name.startsWith("s_")).sort();
  const versionRows = async () => (await engine.db.selectFrom("athanor_revisions").select(["revision", "state"]).orderBy("revision").execute()) as Array<{ revision: string; state: string }>;

  it("seed 003's file as written (comments, then BEGIN; … COMMIT;) runs inside the revision's transaction", async () => {
    await write("001_modules.sql", `${header("legacy_001", null)}create table s_modules (id integer primary key);\n`);
    await write(
      "002_feature.sql",
      `${header("legacy_002", "legacy_001")}-- Migration 009: Add feature X\n-- Created: 2025-XX-XX\n\nBEGIN;\n\nALTER TABLE s_modules\nADD COLUMN new_field VARCHAR(255);\n\nCOMMIT;\n\n-- Rollback:\n-- ALTER TABLE s_modules DROP COLUMN new_field;\n`,
    );
    const scripts = await loadRevisionScripts(directory);
    expect(scripts.map((script) => script.transactional)).toEqual([true, true]);
    const result = await (await migrator()).upgrade("head");
    expect(result.error).toBeUndefined();
    await engine.db.insertInto("s_modules").values({ id: 1, new_field: "x" }).execute();
    expect(await versionRows()).toEqual([{ revision: "legacy_001", state: "applied" }, { revision: "legacy_002", state: "applied" }]);
  });

  it("one BEGIN … COMMIT block with a failing statement inside: nothing of it stays and no version row is written; fixed, it applies", async () => {
    const body = (second: string) => `${header("b1", null)}BEGIN;\ncreate table s_first (id integer primary key);\n${second}\nCOMMIT;\n`;
    await write("001_b1.sql", body("insert into s_missing values (1);"));
    const failed = await (await migrator()).upgrade("head");
    expect(failed.ok).toBe(false);
    expect(failed.steps.map((step) => step.status)).toEqual(["failed"]);
    expect(await tables()).toEqual([]);
    expect(await versionRows()).toEqual([]);
    // Nothing was recorded, so the corrected file simply runs (no checksum to disagree with).
    await write("001_b1.sql", body("create table s_second (id integer primary key);"));
    expect((await (await migrator()).upgrade("head")).ok).toBe(true);
    expect(await tables()).toEqual(["s_first", "s_second"]);
  });

  it("a body with transactions of its own runs as written: committed blocks stay, the failing block rolls back, the version row says running and later runs refuse", async () => {
    const text = `${header("o1", null)}BEGIN;\ncreate table s_first (id integer primary key);\nCOMMIT;\n\nBEGIN;\ncreate table s_second (id integer primary key);\ninsert into s_missing values (1);\nCOMMIT;\n`;
    await write("001_o1.sql", text);
    expect((await loadRevisionScripts(directory))[0]!.transactional).toBe(false);
    const failed = await (await migrator()).upgrade("head");
    expect(failed.ok).toBe(false);
    expect(await tables()).toEqual(["s_first"]);
    expect(await versionRows()).toEqual([{ revision: "o1", state: "running" }]);
    // The failed block was rolled back before the connection went back to the pool (PostgreSQL's pool would warn of a dirty return).
    expect(engine.pool.status().checkedOut).toBe(0);
    expect(warnings).toEqual([]);
    await engine.db.insertInto("s_first").values({ id: 1 }).execute();
    await expect((await migrator()).upgrade("head")).rejects.toBeInstanceOf(MigrationFailedStateError);
  });

  it("a body with transactions of its own that succeeds is recorded as applied", async () => {
    await write("001_o1.sql", `${header("o1", null)}BEGIN;\ncreate table s_first (id integer primary key);\nCOMMIT;\ninsert into s_first values (1);\nBEGIN;\ninsert into s_first values (2);\nCOMMIT;\n`);
    expect((await (await migrator()).upgrade("head")).ok).toBe(true);
    expect(await versionRows()).toEqual([{ revision: "o1", state: "applied" }]);
    expect((await engine.db.selectFrom("s_first").select("id").orderBy("id").execute()).map((row) => Number(row.id))).toEqual([1, 2]);
  });

  it("dialect sections: each database runs the common lines and its own", async () => {
    await write(
      "001_d1.sql",
      `${header("d1", null)}create table s_memory (id integer primary key, embedding text);\n-- athanor:dialect postgres\ncomment on table s_memory is 'episodic memory';\ncreate index ix_s_memory_pg on s_memory using btree (embedding);\n-- athanor:dialect sqlite\ncreate index ix_s_memory_lite on s_memory (embedding);\n-- athanor:dialect all\ninsert into s_memory (id) values (1);\n-- athanor:down\ndrop table s_memory;\n`,
    );
    expect((await (await migrator()).upgrade("head")).ok).toBe(true);
    const indexes = (await engine.db.introspection.getTables()).length > 0 ? await indexNames() : [];
    expect(indexes).toEqual([context.isPostgres ? "ix_s_memory_pg" : "ix_s_memory_lite"]);
    expect((await (await migrator()).downgrade("base")).ok).toBe(true);
    expect(await tables()).toEqual([]);
  });

  async function indexNames(): Promise<string[]> {
    const { sql } = await import("kysely");
    const rows = context.isPostgres
      ? await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 's_memory' and indexname like 'ix_%'`.execute(engine.db)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 's_memory' and name like 'ix_%'`.execute(engine.db);
    return rows.rows.map((row) => row.name);
  }
});
