import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { CommandResult, ConsumerProject } from "./consumer-project.js";

/** The schema module a consumer writes (valid TypeScript and JavaScript alike). */
export const CONSUMER_SCHEMA = `import { defineSchema, table, uuid, text, boolean, timestamps, index } from "athanor/schema";

export const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: text().notNull().unique(),
  name: text().notNull(),
  active: boolean().notNull().default(true),
  ...timestamps(),
});

export const agents = table("agents", {
  id: uuid().primaryKey().defaultRandom(),
  ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text().notNull(),
  schedule: text(),
}, (t) => [index("ix_agents_owner_id").on(t.ownerId)]);

export const schema = defineSchema({ users, agents });
`;


/** Seed fixtures for {@link CONSUMER_SCHEMA}: Ada's id is generated, her agent refers to her by name. */
export const CONSUMER_FIXTURES = `import { ref } from "athanor/seed";

export const fixtures = {
  users: { ada: { email: "ada@example.com", name: "Ada" } },
  agents: [{ id: "00000000-0000-4000-8000-0000000000a1", ownerId: ref("users", "ada"), name: "nightly", schedule: "0 3 * * *" }],
};
`;

/** Options of {@link runCliWorkflow}. */
export interface CliWorkflowOptions {
  /** `ts` or `js`: the language `athanor init` is asked for (revisions follow it). */
  readonly language: "ts" | "js";
  /** The database URL the config reads from DATABASE_URL. */
  readonly url: string;
}

/**
 * The whole CLI workflow of docs/migrations.md, run through the installed bin of a
 * consumer project: init, revision (module and --sql), --autogenerate from a schema module,
 * upgrade head / +1, downgrade -1 / base, current, history, heads, branches, merge, stamp,
 * check, seed, reset, health and upgrade --sql. Every step's exit code and output are checked.
 */
export async function runCliWorkflow(project: ConsumerProject, options: CliWorkflowOptions): Promise<void> {
  const suffix = options.language === "ts" ? "ts" : "mjs";
  const env = { DATABASE_URL: options.url, ENVIRONMENT: "development" };
  const athanor = async (args: string[], expected = 0): Promise<CommandResult> => {
    const result = await project.athanor(args, env);
    if (result.code !== expected) {
      throw new Error(`athanor ${args.join(" ")}: exit ${result.code}, expected ${expected}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    }
    return result;
  };
  const json = async <T>(args: string[], expected = 0): Promise<T> => JSON.parse((await athanor([...args, "--json"], expected)).stdout) as T;

  const version = await athanor(["--version"]);
  expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);

  expect((await athanor(["init", "--language", options.language])).stdout).toContain(`created athanor.config.${suffix}`);
  await project.write(`src/schema.${suffix}`, CONSUMER_SCHEMA);
  await project.write(`src/fixtures.${suffix}`, CONSUMER_FIXTURES);
  const config = await project.read(`athanor.config.${suffix}`);
  await project.write(`athanor.config.${suffix}`, config.replace(`// schema: "./src/schema.${suffix}"`, `schema: "./src/schema.${suffix}"`).replace(`// seeds: "./src/fixtures.${suffix}"`, `seeds: "./src/fixtures.${suffix}"`));

  // An empty database differs from the schema.
  expect((await athanor(["check"], 1)).stdout).toContain("differs from the schema");

  const created = await json<{ revision: string; path: string; operations: unknown[] }>(["revision", "--autogenerate", "-m", "create users and agents"]);
  expect(created.path.endsWith(`.${suffix}`)).toBe(true);
  expect(created.operations.length).toBeGreaterThan(0);
  const first = created.revision;

  const upgraded = await athanor(["upgrade", "head"]);
  expect(upgraded.stdout).toContain(first);
  expect(upgraded.stdout).toMatch(/applied in \d+(\.\d)? ms/);
  expect((await athanor(["check"])).stdout).toContain("the database matches the schema");

  // A plain .sql revision, applied with +1.
  const sqlRevision = await json<{ revision: string; path: string }>(["revision", "--sql", "-m", "add agent names index"]);
  expect(sqlRevision.path.endsWith(".sql")).toBe(true);
  const sqlText = await project.read(sqlRevision.path.slice(project.directory.length + 1));
  await project.write(
    sqlRevision.path.slice(project.directory.length + 1),
    sqlText.replace("-- athanor:up\n", "-- athanor:up\ncreate index ix_agents_name on agents (name);\n").replace("-- athanor:down\n", "-- athanor:down\ndrop index ix_agents_name;\n"),
  );
  await athanor(["upgrade", "+1"]);
  expect((await athanor(["current"])).stdout).toContain(`${sqlRevision.revision} (head)`);

  // A module revision that does nothing, then history/heads/branches.
  const third = await json<{ revision: string }>(["revision", "-m", "third"]);
  await athanor(["upgrade", "head"]);
  const history = await json<Array<{ revision: string; applied: boolean; head: boolean }>>(["history", "--applied"]);
  expect(history.map((entry) => entry.revision)).toEqual([third.revision, sqlRevision.revision, first]);
  expect(history.every((entry) => entry.applied)).toBe(true);
  expect((await athanor(["heads"])).stdout).toContain(third.revision);

  // downgrade -1, then stamp forward and back without running anything.
  await athanor(["downgrade", "-1"]);
  expect((await athanor(["current"])).stdout).toContain(sqlRevision.revision);
  await athanor(["stamp", "head"]);
  expect((await json<{ heads: string[] }>(["current"])).heads).toEqual([third.revision]);
  await athanor(["stamp", sqlRevision.revision]);
  await athanor(["upgrade", "head"]);

  // Two branches from the same revision, a merge, and upgrade through it.
  const left = await json<{ revision: string }>(["revision", "-m", "left", "--head", third.revision]);
  const right = await json<{ revision: string }>(["revision", "-m", "right", "--head", third.revision]);
  expect((await athanor(["heads"])).stdout.split("\n").filter(Boolean).length).toBe(2);
  expect((await athanor(["branches"])).stdout).toContain(third.revision);
  expect((await athanor(["upgrade", "head"], 2)).stderr).toContain("MULTIPLE_HEADS");
  const merge = await json<{ revision: string; downRevision: string[] }>(["merge", "-m", "merge left and right"]);
  expect([...merge.downRevision].sort()).toEqual([left.revision, right.revision].sort());
  await athanor(["upgrade", "head"]);
  expect((await json<{ heads: string[]; upToDate: boolean }>(["current"])).upToDate).toBe(true);

  // Seed twice (idempotent), health.
  expect((await athanor(["seed"])).stdout).toMatch(/users: \w+, 1 inserted/);
  expect((await athanor(["seed"])).stdout).toMatch(/users: \w+, 0 inserted, 0 updated, 1 unchanged/);
  expect((await athanor(["health"])).stdout).toMatch(/^ok: /);

  // Offline SQL (no connection), then everything down again.
  const offline = await athanor(["upgrade", "head", "--sql"]);
  expect(offline.stdout).toMatch(/create table "?users"?/i);
  expect(offline.stdout).toContain(merge.revision);
  await athanor(["downgrade", "base"]);
  expect((await athanor(["current"])).stdout).toContain("<base>");

  // Reset (drop and recreate the schema's tables) answers only in development.
  const refused = await project.athanor(["reset"], { ...env, ENVIRONMENT: "production" });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("RESET_REFUSED");
  expect((await athanor(["reset"])).stdout).toContain("dropped and recreated");
  expect((await athanor(["check"])).stdout).toContain("the database matches the schema");

  const files = await readdir(join(project.directory, "migrations"));
  expect(files.filter((name) => name.endsWith(`.${suffix}`))).toHaveLength(5);

  // adopt: numbered .sql files applied by hand (seed 003) become a revision chain, then a
  // database that has them (here: upgraded, then its version table emptied) is stamped after
  // the check against a scratch database. Its own config: an empty migrations folder and database.
  await project.write("legacy/001_create_personas.sql", "-- Migration 001: personas\n-- Created: 2025-01-14\nBEGIN;\nCREATE TABLE personas (id VARCHAR(36) PRIMARY KEY, name VARCHAR(255) NOT NULL);\nCOMMIT;\n");
  await project.write("legacy/002_add_persona_mode.sql", "ALTER TABLE personas ADD COLUMN mode VARCHAR(50);\n");
  await project.write("athanor.legacy.config.mjs", 'export default { url: "sqlite:./legacy.db", migrations: "./adopted" };\n');
  const legacy = ["--config", "athanor.legacy.config.mjs"];
  const adopted = await json<{ ok: boolean; head: string; revisions: Array<{ revision: string; status: string }> }>(["adopt", "legacy", ...legacy]);
  expect(adopted.revisions.map((revision) => [revision.revision, revision.status])).toEqual([["legacy_001", "written"], ["legacy_002", "written"]]);
  await athanor(["upgrade", "head", ...legacy]);
  await athanor(["stamp", "base", ...legacy]);
  expect((await athanor(["adopt", "legacy", "--stamp", ...legacy])).stdout).toContain("stamped legacy_002: the live schema matches what the chain makes");
  expect((await athanor(["current", ...legacy])).stdout).toContain("legacy_002 (head)");
  expect((await athanor(["adopt", "legacy", "--skip-verify", ...legacy], 2)).stderr).toContain("only matter with --stamp");
}
