import { mkdtemp, rm, writeFile, appendFile, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, expect, it } from "vitest";
import {
  ChecksumMismatchError,
  createEngine,
  InconsistentMigrationStateError,
  MigrationFailedStateError,
  RevisionScriptMissingError,
  type Engine,
} from "../src/index.js";
import { createMigrator, loadRevisionScripts } from "../src/migrate/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const MIGRATE = JSON.stringify(new URL("../src/migrate/index.js", import.meta.url).pathname);

function revisionFile(revision: string, down: string | null, body: { up: string; down: string }, extra = ""): string {
  return `import { defineMigration } from ${MIGRATE};
export default defineMigration({
  revision: ${JSON.stringify(revision)},
  downRevision: ${JSON.stringify(down)},
  message: ${JSON.stringify(`revision ${revision}`)},${extra}
  async up(op) { ${body.up} },
  async down(op) { ${body.down} },
});
`;
}

const createTable = (name: string) => ({
  up: `await op.db.schema.createTable(${JSON.stringify(name)}).addColumn("id", "integer", (c) => c.primaryKey()).execute();`,
  down: `await op.db.schema.dropTable(${JSON.stringify(name)}).execute();`,
});

describeEachDialect("migrator", (context) => {
  let directory: string;
  let engine: Engine;
  const folders: string[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "athanor-migrations-"));
    folders.push(directory);
    engine = createEngine(await context.freshUrl());
  });
  afterEach(async () => {
    await engine.dispose();
  });
  afterAll(async () => {
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  });

  const tables = async (): Promise<string[]> =>
    (await engine.db.introspection.getTables()).map((table) => table.name).filter((name) => name.startsWith("m_")).sort();
  const migrator = async (options: { lock?: boolean } = {}) => createMigrator(engine, { scripts: await loadRevisionScripts(directory), directory, ...options });
  const write = (name: string, text: string) => writeFile(join(directory, name), text);

  it("upgrades to head, records checksums and durations, and downgrades step by step to base", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    await write("002_b2.ts", revisionFile("b2", "a1", createTable("m_agents")));
    await write("003_c3.ts", revisionFile("c3", "b2", createTable("m_runs")));
    const result = await (await migrator()).upgrade("head");
    expect(result.ok).toBe(true);
    expect(result.steps.map((step) => [step.revision, step.status])).toEqual([["a1", "applied"], ["b2", "applied"], ["c3", "applied"]]);
    expect(result.headsAfter).toEqual(["c3"]);
    expect(await tables()).toEqual(["m_agents", "m_runs", "m_users"]);
    const status = await (await migrator()).status();
    expect(status.heads).toEqual(["c3"]);
    expect(status.applied.map((row) => row.checksum)).toEqual(status.applied.map(() => expect.stringMatching(/^[0-9a-f]{64}$/)));
    expect(status.applied.every((row) => row.state === "applied" && row.durationMillis >= 0 && !Number.isNaN(Date.parse(row.appliedAt)))).toBe(true);

    const down = await (await migrator()).downgrade("-1");
    expect(down.steps.map((step) => [step.revision, step.status])).toEqual([["c3", "reverted"]]);
    expect(await tables()).toEqual(["m_agents", "m_users"]);
    const base = await (await migrator()).downgrade("base");
    expect(base.steps.map((step) => step.revision)).toEqual(["b2", "a1"]);
    expect(await tables()).toEqual([]);
    expect((await (await migrator()).status()).heads).toEqual([]);
  });

  it("runs a failing revision in its own transaction: rolled back, later ones not run, version table matches the schema", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    await write("002_b2.ts", revisionFile("b2", "a1", { up: `${createTable("m_half").up} await op.execute("this is not sql");`, down: "" }));
    await write("003_c3.ts", revisionFile("c3", "b2", createTable("m_runs")));
    const result = await (await migrator()).upgrade("head");
    expect(result.ok).toBe(false);
    expect(result.steps.map((step) => step.status)).toEqual(["applied", "failed", "not-run"]);
    expect(result.error?.code).toBe("DATABASE_ERROR");
    expect(await tables()).toEqual(["m_users"]);
    expect((await (await migrator()).status()).heads).toEqual(["a1"]);
  });

  it("refuses an applied revision whose file was edited, naming the file", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    expect((await (await migrator()).upgrade()).ok).toBe(true);
    await appendFile(join(directory, "001_a1.ts"), "\n// an innocent-looking edit\n");
    const error = await (await migrator()).upgrade().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toContain("001_a1.ts");
  });

  it("refuses when an applied revision's file was deleted, naming the revision", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    await write("002_b2.ts", revisionFile("b2", "a1", createTable("m_agents")));
    expect((await (await migrator()).upgrade()).ok).toBe(true);
    await unlink(join(directory, "002_b2.ts"));
    const error = await (await migrator()).upgrade().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RevisionScriptMissingError);
    expect((error as Error).message).toContain("b2");
  });

  it("refuses a new revision slipped in below applied ones", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    await write("003_c3.ts", revisionFile("c3", "a1", createTable("m_runs")));
    expect((await (await migrator()).upgrade()).ok).toBe(true);
    // b2 now claims to sit between a1 and c3, which is already applied.
    await write("002_b2.ts", revisionFile("b2", "a1", createTable("m_agents")));
    await write("003_c3.ts", revisionFile("c3", "b2", createTable("m_runs")));
    const error = await (await migrator()).upgrade().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error instanceof ChecksumMismatchError || error instanceof InconsistentMigrationStateError).toBe(true);
    expect((error as Error).message).toMatch(/c3|b2/);
  });

  it("leaves a failed non-transactional revision recorded, refuses the next run, and stamp resolves it", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    await write(
      "002_b2.ts",
      revisionFile("b2", "a1", { up: `${createTable("m_half").up} await op.execute("this is not sql");`, down: createTable("m_half").down }, "\n  transactional: false,"),
    );
    const first = await (await migrator()).upgrade();
    expect(first.steps.map((step) => step.status)).toEqual(["applied", "failed"]);
    expect(await tables()).toEqual(["m_half", "m_users"]); // the half-done work stays: no transaction
    const refused = await (await migrator()).upgrade().catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(MigrationFailedStateError);
    expect((refused as Error).message).toContain("athanor stamp a1");
    await engine.db.schema.dropTable("m_half").execute(); // undo by hand
    const stamped = await (await migrator()).stamp("a1");
    expect(stamped.heads).toEqual(["a1"]);
    expect(stamped.applied.map((row) => row.revision)).toEqual(["a1"]);
  });

  it("runs plain .sql revisions beside TypeScript ones, statement by statement, up and down", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    const body = context.isPostgres
      ? `create table m_notes (id integer primary key, body text not null default 'a;b');
create function m_touch() returns trigger language plpgsql as $$
begin
  new.body := new.body || ';touched';
  return new;
end;
$$;
create trigger m_notes_touch before insert on m_notes for each row execute function m_touch();
insert into m_notes (id, body) values (1, 'x');`
      : `create table m_notes (id integer primary key, body text not null default 'a;b');
create trigger m_notes_touch after insert on m_notes begin
  update m_notes set body = new.body || ';touched' where id = new.id;
end;
insert into m_notes (id, body) values (1, 'x');`;
    const down = context.isPostgres ? "drop table m_notes;\ndrop function m_touch();" : "drop table m_notes;";
    await write("002_b2.sql", `-- revision: b2\n-- down-revision: a1\n-- message: notes in plain SQL\n\n-- up\n${body}\n\n-- down\n${down}\n`);
    const up = await (await migrator()).upgrade("head");
    expect(up.error).toBeUndefined();
    expect(up.steps.map((step) => [step.revision, step.path, step.status])).toEqual([["a1", "001_a1.ts", "applied"], ["b2", "002_b2.sql", "applied"]]);
    expect(await engine.db.selectFrom("m_notes").select("body").execute()).toEqual([{ body: "x;touched" }]);
    const reverted = await (await migrator()).downgrade("a1");
    expect(reverted.ok).toBe(true);
    expect(await tables()).toEqual(["m_users"]);
  });

  it.runIf(context.isPostgres)("runs a non-transactional revision (CREATE INDEX CONCURRENTLY) outside a transaction", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    await write("002_b2.sql", "-- revision: b2\n-- down-revision: a1\n-- transactional: false\n\n-- up\ncreate index concurrently ix_m_users_id on m_users (id);\n\n-- down\ndrop index concurrently ix_m_users_id;\n");
    const result = await (await migrator()).upgrade("head");
    expect(result.error).toBeUndefined();
    const indexes = await engine.db.selectFrom("pg_indexes" as never).select("indexname" as never).where("tablename" as never, "=", "m_users" as never).execute();
    expect(indexes).toContainEqual({ indexname: "ix_m_users_id" });
    expect((await (await migrator()).downgrade("a1")).ok).toBe(true);
  });

  it("stamps without running anything", async () => {
    await write("001_a1.ts", revisionFile("a1", null, createTable("m_users")));
    await write("002_b2.ts", revisionFile("b2", "a1", createTable("m_agents")));
    const status = await (await migrator()).stamp("head");
    expect(status.heads).toEqual(["b2"]);
    expect(await tables()).toEqual([]);
    expect((await (await migrator()).stamp("base")).applied).toEqual([]);
  });
});
