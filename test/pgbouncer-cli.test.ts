import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { suiteDatabase } from "./support/each-dialect.js";
import { engineFactory } from "./support/engines.js";
import { PgBouncerProcess, pgbouncerUnavailable } from "./support/pgbouncer-process.js";

/** A revision that must run outside a transaction, as CREATE INDEX CONCURRENTLY must. */
const CONCURRENT_INDEX = `export default {
  revision: "c0ffee000001", downRevision: null, message: "concurrent index", transactional: false,
  async up(op) {
    await op.execute("create table notes (id integer primary key, body text)");
    await op.execute("create index concurrently ix_notes_body on notes (body)");
  },
};
`;

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await runCli(argv, { stdout: sink((text) => (out += text)), stderr: sink((text) => (err += text)), cwd });
  return { code, out, err };
}

describe.skipIf(pgbouncerUnavailable)("athanor CLI behind PgBouncer: directUrl", () => {
  const database = suiteDatabase("postgres");
  const engine = engineFactory();
  let bouncer: PgBouncerProcess;
  let cwd: string;

  beforeAll(async () => {
    bouncer = await PgBouncerProcess.start({ poolSize: 2 });
    cwd = await mkdtemp(join(tmpdir(), "athanor-pgbouncer-cli-"));
    await mkdir(join(cwd, "migrations"));
    await writeFile(join(cwd, "migrations", "20261205_0900_c0ffee000001_concurrent_index.mjs"), CONCURRENT_INDEX);
  });
  afterAll(async () => {
    await bouncer?.stop();
    await rm(cwd, { recursive: true, force: true });
  });

  /** Writes a config file (a new name each time: an imported module is cached) and returns the --config flag for it. */
  let configs = 0;
  const config = async (directUrl?: string): Promise<string[]> => {
    const name = `athanor-${++configs}.config.mjs`;
    await writeFile(join(cwd, name), `export default ${JSON.stringify({ url: bouncer.rewrite(database.url()), ...(directUrl === undefined ? {} : { directUrl }) })};\n`);
    return ["--config", name];
  };

  it("without directUrl, a revision outside a transaction is refused through the pooler, naming directUrl; nothing runs", async () => {
    const result = await cli(cwd, "upgrade", ...(await config()));
    expect(result.code).not.toBe(0);
    expect(result.err).toMatch(/MIGRATION_NEEDS_DIRECT_URL|runs outside a transaction/);
    expect(result.err).toContain("directUrl");
    const tables = await sql<{ n: number }>`select count(*)::int as n from pg_tables where tablename = 'notes'`.execute(engine(database.url()).db);
    expect(tables.rows[0]!.n).toBe(0);
  });

  it("with directUrl, upgrade and current use it (the password stays masked), and the application URL stays on the pooler", async () => {
    const direct = new URL(database.url());
    direct.password = "not-needed-with-trust";
    const flags = await config(direct.toString());
    const upgraded = await cli(cwd, "upgrade", ...flags);
    expect(upgraded.err).toBe("");
    expect(upgraded.code).toBe(0);
    expect((await cli(cwd, "current", ...flags)).out).toContain("c0ffee000001");
    expect(upgraded.out + upgraded.err).not.toContain("not-needed-with-trust");
    const index = await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'ix_notes_body'`.execute(engine(bouncer.rewrite(database.url())).db);
    expect(index.rows[0]!.n).toBe(1);
  });
});
