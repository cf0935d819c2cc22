// A failing revision's error as the CLI prints it: PostgreSQL often says what is wrong only in
// the error's detail or hint, which the message leaves out; `--verbose` adds the stack, and
// `--json` gives every failed step its code and message (the error object alone has neither).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { errorJson, errorLines } from "../src/cli/error-lines.js";
import { DatabaseError } from "../src/errors.js";
import { suiteDatabase } from "./support/each-dialect.js";
import { postgresUnavailable } from "./support/postgres-admin.js";

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (append: (text: string) => void) => new Writable({ write(chunk, _encoding, done) { append(String(chunk)); done(); } });
  const code = await runCli(argv, { stdout: sink((text) => (out += text)), stderr: sink((text) => (err += text)), cwd });
  return { code, out, err };
}

const USERS = `-- athanor:revision aaaa00000001
-- athanor:down-revision none
-- athanor:up
create table users (id uuid primary key);
-- athanor:down
drop table users;
`;
// varchar against uuid: PostgreSQL's message is "foreign key constraint … cannot be implemented",
// and only its detail names the two types.
const AGENTS = `-- athanor:revision aaaa00000002
-- athanor:down-revision aaaa00000001
-- athanor:up
create table agents (id varchar(36) primary key, owner_id varchar(36) not null references users (id));
-- athanor:down
drop table agents;
`;

describe("error lines", () => {
  it("adds the detail and hint found on the error or its causes, and scrubs passwords", () => {
    const cause = Object.assign(new Error("boom"), { detail: "at postgres://u:hunter2@h/db", hint: "try again" });
    const error = new DatabaseError("boom", "XX000", { cause });
    expect(errorLines(error)).toEqual(["error: DATABASE_ERROR: boom", "  detail: at postgres://u:***@h/db", "  hint: try again"]);
    expect(errorJson(error)).toEqual({ code: "DATABASE_ERROR", message: "boom", detail: "at postgres://u:***@h/db", hint: "try again" });
    expect(errorLines(new DatabaseError("plain", undefined))).toEqual(["error: DATABASE_ERROR: plain"]);
    expect(errorJson(new Error("odd"))).toEqual({ code: "UNEXPECTED", message: "odd" });
  });
});

describe.skipIf(postgresUnavailable)("athanor upgrade: a failing revision's explanation [postgres]", () => {
  const database = suiteDatabase("postgres");
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "athanor-cli-detail-"));
    await mkdir(join(cwd, "migrations"));
    await writeFile(join(cwd, "migrations", "0001_users.sql"), USERS);
    await writeFile(join(cwd, "migrations", "0002_agents.sql"), AGENTS);
    await writeFile(join(cwd, "athanor.config.mjs"), `export default { url: ${JSON.stringify(database.url())}, migrations: "./migrations" };\n`);
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it("prints PostgreSQL's detail under the error line", async () => {
    const run = await cli(cwd, "upgrade");
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error: DATABASE_ERROR: foreign key constraint "agents_owner_id_fkey" cannot be implemented\n {2}detail: Key columns "owner_id" and "id" are of incompatible types: character varying and uuid\.$/m);
    expect(run.err).not.toMatch(/\n\s+at /);
  });

  it("prints the stack with --verbose", async () => {
    const run = await cli(cwd, "upgrade", "--verbose");
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/\n\s+at /);
  });

  it("gives the failed step's error its code, message and detail in --json", async () => {
    const run = await cli(cwd, "upgrade", "--json");
    expect(run.code).toBe(1);
    const result = JSON.parse(run.out) as { steps: Array<{ revision: string; status: string; error?: Record<string, unknown> }>; error: Record<string, unknown> };
    const failed = result.steps.find((step) => step.status === "failed");
    expect(failed?.revision).toBe("aaaa00000002");
    expect(failed?.error).toEqual({ code: "DATABASE_ERROR", message: 'foreign key constraint "agents_owner_id_fkey" cannot be implemented', detail: expect.stringContaining("incompatible types") });
    expect(result.error).toEqual(failed?.error);
  });
});
