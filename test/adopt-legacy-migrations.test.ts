import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqlSyntaxFor } from "../src/backends/sql-syntax-for.js";
import { AdoptRefusedError, createEngine, type Engine } from "../src/index.js";
import { adoptLegacyMigrations, createMigrator, loadRevisionScripts, readLegacyMigrations } from "../src/migrate/index.js";
import { adoptedRevisionText } from "../src/migrate/adopted-revision.js";
import { schemaModelDifferences } from "../src/migrate/schema-model-differences.js";
import type { TableModel } from "../src/schema/schema-model.js";
import { splitSqlStatements } from "../src/migrate/split-sql-statements.js";
import { introspectSchema } from "../src/schema/introspect-schema.js";
import { describeEachDialect } from "./support/each-dialect.js";

const LEGACY = new URL("./fixtures/legacy-migrations/", import.meta.url).pathname;
const FILES = [
  "001_add_thinking_and_persona_relationship.sql",
  "002_fix_message_cascade_delete.sql",
  "003_convert_messages_to_uuid.sql",
  "004_allow_empty_module_content.sql",
  "005_add_cognitive_engine_constraints.sql",
  "006_staged_execution_redesign.sql",
  "007_add_conversation_memory.sql",
  "008_add_first_message_id.sql",
];
const IDS = FILES.map((file) => `legacy_${file.slice(0, 3)}`);

/** What the team did: each file, in order, statement by statement on one connection, its own BEGIN/COMMIT included. */
async function applyByHand(engine: Engine, files: readonly string[] = FILES, folder = LEGACY): Promise<void> {
  await engine.db.connection().execute(async (db) => {
    for (const file of files) {
      for (const statement of splitSqlStatements(await readFile(join(folder, file), "utf8"), sqlSyntaxFor(engine.dialect))) await sql.raw(statement.sql).execute(db);
    }
  });
}

describe("readLegacyMigrations and adoptedRevisionText (pure)", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "athanor-legacy-"));
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it("orders by number (not by text: 10 after 9), ignores other files, refuses unnumbered .sql files and shared numbers", async () => {
    for (const name of ["10_later.sql", "9_earlier.sql", "README.md", "_scratch.sql"]) await writeFile(join(folder, name), "select 1;\n");
    expect((await readLegacyMigrations(folder)).map((file) => file.file)).toEqual(["9_earlier.sql", "10_later.sql"]);
    await writeFile(join(folder, "009_again.sql"), "select 1;\n");
    await expect(readLegacyMigrations(folder)).rejects.toThrow(/9_earlier.sql: has the same number as 009_again.sql/);
    await rm(join(folder, "009_again.sql"));
    await writeFile(join(folder, "fix.sql"), "select 1;\n");
    const error = await readLegacyMigrations(folder).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdoptRefusedError);
    expect(error).toMatchObject({ code: "ADOPT_REFUSED", path: "fix.sql" });
  });

  it("a legacy file becomes a revision: a header block, then its text unchanged", async () => {
    const [legacy] = await readLegacyMigrations(LEGACY);
    const text = adoptedRevisionText(legacy!, null);
    expect(text.split("\n").slice(0, 5)).toEqual([
      "-- athanor:revision legacy_001",
      "-- athanor:down-revision none",
      "-- athanor:message add thinking and persona relationship",
      "-- Adopted by athanor adopt from 001_add_thinking_and_persona_relationship.sql; its text follows unchanged.",
      "-- athanor:up",
    ]);
    expect(text.endsWith(legacy!.text)).toBe(true);
  });
});

describe("schemaModelDifferences (pure)", () => {
  const table = (overrides: Partial<TableModel> = {}): TableModel => ({
    name: "modules",
    columns: [{ name: "id", type: { kind: "uuid" }, nullable: false, default: undefined, identity: false }],
    primaryKey: ["id"],
    uniques: [],
    foreignKeys: [],
    indexes: [],
    checks: ["ck_modules_priority"],
    ...overrides,
  });

  it("names every difference, checks' SQL included; none for equal models", () => {
    const sqlOf = (text: string) => (_table: string, _name: string) => text;
    expect(schemaModelDifferences({ tables: [table()] }, { tables: [table()] }, { expected: sqlOf("CHECK (p >= 0)"), live: sqlOf("CHECK  (p >= 0)") })).toEqual([]);
    const live = table({ columns: [{ name: "id", type: { kind: "text" }, nullable: true, default: undefined, identity: false }], primaryKey: [], uniques: [["id"]] });
    expect(schemaModelDifferences({ tables: [table(), { ...table(), name: "extra" }] }, { tables: [live, { ...table(), name: "stray" }] }, { expected: sqlOf("CHECK (p >= 0)"), live: sqlOf("CHECK (p > 0)") })).toEqual([
      'table "modules": column "id" type is {"kind":"text"}, the revisions make {"kind":"uuid"}',
      'table "modules": column "id" nullable is true, the revisions make false',
      'table "modules": primary key is [], the revisions make ["id"]',
      'table "modules": unique constraint ["id"] is there but the revisions do not make it',
      'table "modules": check "ck_modules_priority" is CHECK (p > 0), the revisions make CHECK (p >= 0)',
      'table "extra" is missing',
      'table "stray" is there but the revisions do not make it',
    ]);
  });
});

describeEachDialect("athanor adopt: seed 003's numbered files", (context) => {
  let directory: string;
  let engine: Engine;
  const folders: string[] = [];
  const engines: Engine[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "athanor-adopt-"));
    folders.push(directory);
    engine = createEngine(await context.freshUrl());
    engines.push(engine);
  });
  afterEach(() => Promise.all(engines.splice(0).map((each) => each.dispose())));
  afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

  const versionRows = async (target: Engine = engine) => (await target.db.selectFrom("athanor_revisions").select(["revision", "state"]).orderBy("revision").execute()) as Array<{ revision: string; state: string }>;

  it("writes a linear chain in number order, which upgrades a fresh database to the schema the files made by hand", async () => {
    const result = await adoptLegacyMigrations({ legacyDirectory: LEGACY, directory });
    expect(result.ok).toBe(true);
    expect(result.revisions.map((revision) => [revision.file, revision.revision, revision.downRevision, revision.status])).toEqual(
      FILES.map((file, i) => [file, IDS[i], i === 0 ? null : IDS[i - 1], "written"]),
    );
    expect(result.head).toBe("legacy_008");
    expect((await readdir(directory)).sort()).toEqual(FILES);

    const upgraded = await createMigrator(engine, { scripts: await loadRevisionScripts(directory) }).upgrade("head");
    expect(upgraded.error).toBeUndefined();
    expect(upgraded.steps.map((step) => step.revision)).toEqual(IDS);

    const byHand = createEngine(await context.freshUrl());
    engines.push(byHand);
    await applyByHand(byHand);
    const tables = (model: Awaited<ReturnType<typeof introspectSchema>>) => ({ tables: model.tables.filter((table) => table.name !== "athanor_revisions") });
    expect(tables(await introspectSchema(engine))).toEqual(tables(await introspectSchema(byHand)));
  });

  it("--stamp on a database where the files were applied by hand: checked against a scratch database, then stamped; upgrade has nothing left to do", async () => {
    await applyByHand(engine);
    const result = await adoptLegacyMigrations({ legacyDirectory: LEGACY, directory, engine, stamp: true });
    expect(result.stamp).toMatchObject({ status: "stamped", reason: undefined });
    expect(result.stamp?.comparison?.differences).toEqual([]);
    expect(result.stamp?.comparison?.notCompared.length).toBeGreaterThan(0);
    expect(result.ok).toBe(true);
    expect(await versionRows()).toEqual(IDS.map((revision) => ({ revision, state: "applied" })));
    const upgrade = await createMigrator(engine, { scripts: await loadRevisionScripts(directory) }).upgrade("head");
    expect(upgrade.steps).toEqual([]);
  });

  it("refuses to stamp a database whose schema drifted from the files, saying how, and stamps nothing", async () => {
    await applyByHand(engine);
    await sql`alter table modules add column hotfix text`.execute(engine.db);
    await sql`drop index ix_modules_type`.execute(engine.db);
    const result = await adoptLegacyMigrations({ legacyDirectory: LEGACY, directory, engine, stamp: true });
    expect(result.ok).toBe(false);
    expect(result.stamp?.status).toBe("refused");
    expect(result.stamp?.comparison?.differences).toEqual([
      'table "modules": column "hotfix" is there but the revisions do not make it',
      'table "modules": index {"columns":["type"],"name":"ix_modules_type","unique":false} is missing',
    ]);
    expect(await engine.db.introspection.getTables().then((tables) => tables.some((table) => table.name === "athanor_revisions"))).toBe(false);
    // verify: false stamps on the caller's word.
    const trusted = await adoptLegacyMigrations({ legacyDirectory: LEGACY, directory, engine, stamp: true, verify: false });
    expect(trusted.stamp).toMatchObject({ status: "stamped", comparison: undefined });
  });

  it("refuses to stamp a database that already records revisions, and one on which the chain cannot be checked fails the stamp", async () => {
    await applyByHand(engine);
    expect((await adoptLegacyMigrations({ legacyDirectory: LEGACY, directory, engine, stamp: true })).stamp?.status).toBe("stamped");
    const again = await adoptLegacyMigrations({ legacyDirectory: LEGACY, directory, engine, stamp: true });
    expect(again.revisions.every((revision) => revision.status === "unchanged")).toBe(true);
    expect(again.stamp).toMatchObject({ status: "refused", reason: expect.stringContaining("already records revisions") });

    const broken = await mkdtemp(join(tmpdir(), "athanor-legacy-broken-"));
    folders.push(broken);
    await writeFile(join(broken, "001_broken.sql"), "create table t (id int);\nthis is not sql;\n");
    const other = createEngine(await context.freshUrl());
    engines.push(other);
    const target = await mkdtemp(join(tmpdir(), "athanor-adopt-"));
    folders.push(target);
    const failed = await adoptLegacyMigrations({ legacyDirectory: broken, directory: target, engine: other, stamp: true });
    expect(failed.ok).toBe(false);
    expect(failed.stamp).toMatchObject({ status: "failed", reason: expect.stringContaining("legacy_001 (001_broken.sql)") });
  });

  it("adopting again writes nothing; files added to the legacy folder since are appended to the chain", async () => {
    const legacy = await mkdtemp(join(tmpdir(), "athanor-legacy-"));
    folders.push(legacy);
    await cp(LEGACY, legacy, { recursive: true });
    await adoptLegacyMigrations({ legacyDirectory: legacy, directory });
    await writeFile(join(legacy, "009_add_persona_mode.sql"), "ALTER TABLE personas ADD COLUMN mode VARCHAR(50);\n");
    const result = await adoptLegacyMigrations({ legacyDirectory: legacy, directory });
    expect(result.revisions.map((revision) => revision.status)).toEqual([...FILES.map(() => "unchanged"), "written"]);
    expect(result.revisions.at(-1)).toMatchObject({ revision: "legacy_009", downRevision: "legacy_008" });
    expect((await loadRevisionScripts(directory)).length).toBe(9);
  });

  it("refuses (nothing written) a migrations folder with revisions of its own, and an adopted revision its legacy file no longer gives", async () => {
    await writeFile(join(directory, "0001_own.sql"), "-- athanor:revision own1\n-- athanor:down-revision none\n-- athanor:up\nselect 1;\n");
    await expect(adoptLegacyMigrations({ legacyDirectory: LEGACY, directory })).rejects.toThrow(/already holds revisions of its own \(own1\)/);
    expect(await readdir(directory)).toEqual(["0001_own.sql"]);

    const clean = await mkdtemp(join(tmpdir(), "athanor-adopt-"));
    folders.push(clean);
    const legacy = await mkdtemp(join(tmpdir(), "athanor-legacy-"));
    folders.push(legacy);
    await cp(LEGACY, legacy, { recursive: true });
    await adoptLegacyMigrations({ legacyDirectory: legacy, directory: clean });
    await writeFile(join(legacy, FILES[2]!), "-- edited after adoption\nselect 1;\n");
    const error = await adoptLegacyMigrations({ legacyDirectory: legacy, directory: clean }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdoptRefusedError);
    expect((error as AdoptRefusedError).path).toBe(join(clean, FILES[2]!));
  });
});
