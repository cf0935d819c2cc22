import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { describeEachDialect } from "./support/each-dialect.js";

const SRC = new URL("../src/", import.meta.url).pathname;

function capture(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await runCli(argv, { stdout: out.stream, stderr: err.stream, cwd });
  return { code, out: out.text(), err: err.text() };
}

/** Generated revisions import "athanor/migrate"; in this repository that is ../src/migrate. */
async function pointAtSource(folder: string): Promise<void> {
  for (const name of await readdir(folder)) {
    if (!/\.(ts|mjs)$/.test(name)) continue;
    const path = join(folder, name);
    await writeFile(path, (await readFile(path, "utf8")).replace('"athanor/migrate"', JSON.stringify(`${SRC}migrate/index.js`)));
  }
}

describeEachDialect("athanor CLI", (context) => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "athanor-cli-"));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it("runs init, revision, upgrade, current, history, heads, show, downgrade, stamp and health", async () => {
    expect((await cli(cwd, "init", "--language", "ts")).out).toMatch(/created athanor.config.ts/);
    expect((await cli(cwd, "init")).out).toMatch(/nothing to do/);
    const config = (await readFile(join(cwd, "athanor.config.ts"), "utf8")).replace('"athanor"', JSON.stringify(`${SRC}index.js`));
    await writeFile(join(cwd, "athanor.config.ts"), config.replace('process.env.DATABASE_URL ?? "sqlite:./data/app.db"', JSON.stringify(context.url())));

    const first = await cli(cwd, "revision", "-m", "create users");
    expect(first.code).toBe(0);
    await pointAtSource(join(cwd, "migrations"));
    const second = await cli(cwd, "revision", "-m", "create agents", "--json");
    const created = JSON.parse(second.out) as { revision: string; downRevision: string };
    const firstId = /created ([0-9a-f]{12})/.exec(first.out)![1]!;
    expect(created.downRevision).toBe(firstId);
    const folder = join(cwd, "migrations");
    for (const name of await readdir(folder)) {
      const path = join(folder, name);
      const table = name.includes("users") ? "cli_users" : "cli_agents";
      const text = (await readFile(path, "utf8"))
        .replace("async up(op) {\n", `async up(op) {\n    await op.db.schema.createTable("${table}").addColumn("id", "integer", (c) => c.primaryKey()).execute();\n`)
        .replace("async down(op) {\n", `async down(op) {\n    await op.db.schema.dropTable("${table}").execute();\n`);
      await writeFile(path, text);
    }
    await pointAtSource(folder);

    const upgrade = await cli(cwd, "upgrade");
    expect(upgrade.err).toBe("");
    expect(upgrade.code).toBe(0);
    expect(upgrade.out).toMatch(new RegExp(`→ ${firstId} create users .* applied in [\\d.]+ ms`));
    expect(upgrade.out).toContain(`heads: ${created.revision}`);

    const current = await cli(cwd, "current", "--json");
    expect(JSON.parse(current.out)).toMatchObject({ heads: [created.revision], upToDate: true });
    const history = await cli(cwd, "history");
    expect(history.out.split("\n")[0]).toBe(`${firstId} -> ${created.revision} (head), create agents`);
    const offline = JSON.parse((await cli(cwd, "history", "--json")).out) as Array<Record<string, unknown>>;
    expect(offline.some((entry) => "applied" in entry)).toBe(false); // unknown without --applied, never a false "false"
    const marked = JSON.parse((await cli(cwd, "history", "--applied", "--json")).out) as Array<{ applied: boolean; current: boolean }>;
    expect(marked.map((entry) => [entry.applied, entry.current])).toEqual([[true, true], [true, false]]);
    expect((await cli(cwd, "heads", "--json")).out).toContain(created.revision);
    expect((await cli(cwd, "show", created.revision.slice(0, 6))).out).toContain(`revision: ${created.revision}`);

    const downgrade = await cli(cwd, "downgrade", "-1");
    expect(downgrade.code).toBe(0);
    expect(downgrade.out).toContain(`heads: ${firstId}`);
    expect((await cli(cwd, "stamp", "base")).out).toContain("heads <base>");

    const health = await cli(cwd, "health", "--json");
    expect(health.code).toBe(0);
    expect(JSON.parse(health.out)).toMatchObject({ status: "ok", dialect: context.isPostgres ? "postgres" : "sqlite" });
  });

  it("shows branches, refuses a plain revision on several heads, and merges them", async () => {
    const folder = await mkdtemp(join(tmpdir(), "athanor-cli-branches-"));
    const config = join(folder, "athanor.config.mjs");
    await writeFile(config, `export default { url: ${JSON.stringify(context.url())}, migrations: "./m" };\n`);
    const local = (...argv: string[]) => cli(folder, ...argv);
    const branch = (id: string, down: string | null) => `export default { revision: "${id}", downRevision: ${JSON.stringify(down)}, message: "${id}", async up() {}, async down() {} };\n`;
    await rm(join(folder, "m"), { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(join(folder, "m")));
    await writeFile(join(folder, "m", "1_base1.mjs"), branch("base1", null));
    await writeFile(join(folder, "m", "2_left1.mjs"), branch("left1", "base1"));
    await writeFile(join(folder, "m", "3_right1.mjs"), branch("right1", "base1"));
    expect((await local("branches")).out).toContain("base1 (branchpoint) -> left1, right1");
    expect(JSON.parse((await local("heads", "--json")).out)).toEqual(["left1", "right1"]);
    const refused = await local("revision", "-m", "next");
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/MULTIPLE_HEADS/);
    const merged = await local("merge", "-m", "join branches", "--json");
    expect(merged.code).toBe(0);
    const { revision, downRevision } = JSON.parse(merged.out) as { revision: string; downRevision: string[] };
    expect(downRevision).toEqual(["left1", "right1"]);
    await pointAtSource(join(folder, "m"));
    expect(JSON.parse((await local("heads", "--json")).out)).toEqual([revision]);
    expect((await local("upgrade", "--json")).code).toBe(0);
    expect(JSON.parse((await local("current", "--json")).out)).toMatchObject({ heads: [revision], upToDate: true });
    expect((await local("stamp", "base")).code).toBe(0);
    await rm(folder, { recursive: true, force: true });
  });

  it("reports a failing revision with exit code 1 and one error line", async () => {
    const folder = join(cwd, "migrations");
    await writeFile(join(folder, "zz_broken.ts"), `export default { revision: "broken1", downRevision: null, message: "broken", async up(op) { await op.execute("not sql at all"); } };\n`);
    const result = await cli(cwd, "upgrade", "heads");
    expect(result.err).toMatch(/^error: DATABASE_ERROR/);
    expect(result.code).toBe(1);
    expect(result.err.trim().split("\n")).toHaveLength(1);
    expect(result.err).toMatch(/^error: DATABASE_ERROR/);
    await rm(join(folder, "zz_broken.ts"));
  });
}, ["sqlite-file", "postgres"]);

describe("athanor CLI usage", () => {
  it("prints help, rejects unknown commands and flags with exit code 2", async () => {
    const cwd = tmpdir();
    expect((await cli(cwd, "--help")).out).toMatch(/usage: athanor <command>/);
    expect((await cli(cwd, "upgrade", "--help")).out).toMatch(/usage: athanor upgrade/);
    expect((await cli(cwd, "frobnicate")).code).toBe(2);
    const badFlag = await cli(cwd, "upgrade", "--frobnicate");
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toMatch(/frobnicate/);
    expect((await cli(cwd, "revision")).code).toBe(2);
  });

  it("writes each revision's line before the revision runs, and finishes it with the outcome", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "athanor-cli-progress-"));
    await writeFile(join(cwd, "athanor.config.mjs"), `export default { url: "sqlite:${join(cwd, "app.db")}", migrations: "./m" };\n`);
    await import("node:fs/promises").then((fs) => fs.mkdir(join(cwd, "m")));
    await writeFile(join(cwd, "m", "1_slow.mjs"), `export default { revision: "slow0001", downRevision: null, message: "slow one", async up() { globalThis.athanorProgressProbe(); } };\n`);
    const out = capture();
    let during = "";
    (globalThis as { athanorProgressProbe?: () => void }).athanorProgressProbe = () => {
      during = out.text();
    };
    const code = await runCli(["upgrade"], { stdout: out.stream, stderr: capture().stream, cwd });
    delete (globalThis as { athanorProgressProbe?: () => void }).athanorProgressProbe;
    expect(code).toBe(0);
    expect(during).toBe("  → slow0001 slow one (1_slow.mjs) … ");
    expect(out.text()).toMatch(/^ {2}→ slow0001 slow one \(1_slow\.mjs\) … applied in \d+\.\d ms\n/);
    await rm(cwd, { recursive: true, force: true });
  });

  it("applies one exit-code policy: no command is usage (help on stderr), unknown revisions and invalid targets are usage, --version prints the version", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "athanor-cli-exit-"));
    await writeFile(join(cwd, "athanor.config.mjs"), `export default { url: "sqlite:${join(cwd, "app.db")}", migrations: "./m" };\n`);
    await import("node:fs/promises").then((fs) => fs.mkdir(join(cwd, "m")));
    await writeFile(join(cwd, "m", "1_a.mjs"), `export default { revision: "aaaa1111", downRevision: null, message: "a", async up() {}, async down() {} };\n`);
    const bare = await cli(cwd);
    expect(bare.code).toBe(2);
    expect(bare.out).toBe("");
    expect(bare.err).toMatch(/usage: athanor <command>/);
    const version = await cli(cwd, "--version");
    expect(version.code).toBe(0);
    expect(version.out.trim()).toBe(JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")).version);
    for (const argv of [["upgrade", "bbbb2222"], ["upgrade", "nonsense+x"], ["downgrade"], ["show", "zzzz9999"], ["stamp", "cccc3333"]]) {
      const result = await cli(cwd, ...argv, "--json");
      expect(result.code, argv.join(" ")).toBe(2);
      const { error } = JSON.parse(result.out) as { error: { code: string; message: string } };
      expect(error.message.startsWith(error.code), argv.join(" ")).toBe(false);
    }
    expect((await cli(cwd, "upgrade")).code).toBe(0);
    await rm(cwd, { recursive: true, force: true });
  });

  it("never prints a password", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "athanor-cli-secret-"));
    await writeFile(join(cwd, "athanor.config.mjs"), `export default { url: "postgres://app:sup3r-secret@127.0.0.1:1/app" };\n`);
    for (const argv of [["health"], ["health", "--json"], ["current", "--verbose"], ["upgrade", "--json", "--verbose"]]) {
      const result = await cli(cwd, ...argv);
      expect(result.code, argv.join(" ")).not.toBe(0);
      expect(result.out + result.err, argv.join(" ")).not.toContain("sup3r-secret");
    }
    await rm(cwd, { recursive: true, force: true });
  });
});

describeEachDialect(
  "athanor seed and reset",
  (context) => {
    let cwd: string;
    beforeAll(async () => {
      cwd = await mkdtemp(join(tmpdir(), "athanor-cli-seed-"));
      await writeFile(
        join(cwd, "schema.ts"),
        `import { defineSchema, table, integer, text } from ${JSON.stringify(`${SRC}schema/index.js`)};
export const owners = table("seed_owners", { id: integer().primaryKey(), name: text().notNull() });
export const pets = table("seed_pets", { id: integer().primaryKey(), ownerId: integer().notNull().references(() => owners.id, { onDelete: "cascade" }), name: text().notNull() });
export const schema = defineSchema({ owners, pets });
`,
      );
      // Children first on purpose: seeding orders by foreign keys.
      await writeFile(join(cwd, "fixtures.ts"), `export const fixtures = { seed_pets: [{ id: 10, ownerId: 1, name: "rex" }], seed_owners: [{ id: 1, name: "ada" }] };\n`);
      await writeFile(join(cwd, "athanor.config.ts"), `export default { url: ${JSON.stringify(context.url())}, schema: "./schema.ts", seeds: "./fixtures.ts" };\n`);
    });
    afterAll(() => rm(cwd, { recursive: true, force: true }));

    it("reset refuses outside development and touches nothing; in development it creates the tables; seed is idempotent", async () => {
      const refused = await cli(cwd, "reset", "--environment", "production");
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/RESET_REFUSED/);
      expect((await cli(cwd, "reset", "--environment", "development")).code).toBe(0);

      const first = await cli(cwd, "seed");
      expect(first.err).toBe("");
      expect(first.out).toMatch(/seed_owners: seeded, 1 inserted/);
      expect(first.out).toMatch(/seed_pets: seeded, 1 inserted/);
      const second = await cli(cwd, "seed", "--json");
      const result = JSON.parse(second.out) as { ok: boolean; tables: Array<{ table: string; inserted: number; unchanged: number }> };
      expect(result.ok).toBe(true);
      expect(result.tables.map((table) => [table.table, table.inserted, table.unchanged])).toEqual([
        ["seed_owners", 0, 1],
        ["seed_pets", 0, 1],
      ]);
    });
  },
  ["sqlite-file", "postgres"],
);

describeEachDialect(
  "athanor adopt",
  (context) => {
    let cwd: string;
    beforeAll(async () => {
      cwd = await mkdtemp(join(tmpdir(), "athanor-cli-adopt-"));
      await writeFile(join(cwd, "athanor.config.ts"), `export default { url: ${JSON.stringify(context.url())}, migrations: "./migrations" };\n`);
    });
    afterAll(() => rm(cwd, { recursive: true, force: true }));

    it("writes the chain, stamps a database with the files applied after comparing schemas, and refuses what it cannot do", async () => {
      const legacy = new URL("./fixtures/legacy-migrations", import.meta.url).pathname;
      const written = await cli(cwd, "adopt", legacy);
      expect(written.code).toBe(0);
      expect(written.out).toContain("001_add_thinking_and_persona_relationship.sql → legacy_001 (written)");
      expect(written.out).toContain("adopted 8 file(s); head legacy_008");
      // The files are applied (here by upgrading, then forgetting it), as by hand.
      expect((await cli(cwd, "upgrade", "head")).code).toBe(0);
      expect((await cli(cwd, "stamp", "base")).code).toBe(0);
      const stamped = await cli(cwd, "adopt", legacy, "--stamp", "--json");
      expect(stamped.code).toBe(0);
      const result = JSON.parse(stamped.out) as { ok: boolean; stamp: { status: string; comparison: { differences: string[] } } };
      expect(result).toMatchObject({ ok: true, stamp: { status: "stamped", comparison: { differences: [] } } });
      expect((await cli(cwd, "current")).out).toContain("legacy_008 (head)");

      const again = await cli(cwd, "adopt", legacy, "--stamp");
      expect(again.code).toBe(1);
      expect(again.err).toContain("not stamped: the database already records revisions");
      const missing = await cli(cwd, "adopt", join(cwd, "no-such-folder"));
      expect(missing.code).toBe(2);
      expect(missing.err).toContain("ADOPT_REFUSED");
      expect((await cli(cwd, "adopt")).err).toContain("adopt needs the legacy folder");
    });
  },
  // Each command opens its own engine: an in-memory database would not outlive it.
  ["sqlite-file", "postgres"],
);
