import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChecksumMismatchError, createEngine, type Engine } from "../src/index.js";
import { createMigrator, loadRevisionScripts, revisionChecksum } from "../src/migrate/index.js";
import type { MigrationOperations } from "../src/migrate/migration-operations.js";
import { sqlRevisionScript } from "../src/migrate/sql-revision-script.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { fuzzOptions } from "./support/fuzz-runs.js";

const MIGRATE = JSON.stringify(new URL("../src/migrate/index.js", import.meta.url).pathname);
const crlf = (text: string) => text.replace(/\r\n|\r|\n/g, "\r\n");
const cr = (text: string) => text.replace(/\r\n|\r|\n/g, "\r");

/** What a revision's up() hands to op.execute / op.executeScript. */
function recordingOp(): { op: MigrationOperations; sent: string[] } {
  const sent: string[] = [];
  const op = { execute: async (text: string) => void sent.push(text), executeScript: async (text: string) => void sent.push(text) };
  return { op: op as unknown as MigrationOperations, sent };
}

const SQL_REVISION = [
  "-- revision: s1",
  "-- down-revision: none",
  "-- message: notes",
  "-- up",
  "create table notes (body text);",
  "insert into notes (body) values ('two",
  "lines');",
  "-- down",
  "drop table notes;",
  "",
].join("\n");

const moduleRevision = (body: string) => `import { defineMigration } from ${MIGRATE};
export default defineMigration({
  revision: "t1",
  downRevision: null,
  message: "notes",
  async up(op) {
    await op.execute("create table notes (body text)");
    await op.execute(\`insert into notes (body) values ('two
lines')\`);${body}
  },
});
`;

describe("revision checksums normalise line endings, because what runs does too", () => {
  it("LF, CRLF and CR files have one checksum; any other edit changes it", () => {
    expect(revisionChecksum(crlf(SQL_REVISION))).toBe(revisionChecksum(SQL_REVISION));
    expect(revisionChecksum(cr(SQL_REVISION))).toBe(revisionChecksum(SQL_REVISION));
    expect(revisionChecksum(SQL_REVISION.replace("two", "tw0"))).not.toBe(revisionChecksum(SQL_REVISION));
    expect(revisionChecksum(`${SQL_REVISION}\n`)).not.toBe(revisionChecksum(SQL_REVISION));
  });

  it("a .sql revision runs the same text whatever its line endings (literals spanning lines included)", async () => {
    const ran = await Promise.all([SQL_REVISION, crlf(SQL_REVISION), cr(SQL_REVISION)].map(async (text) => {
      const { op, sent } = recordingOp();
      await sqlRevisionScript("s1.sql", text).up(op);
      return sent;
    }));
    expect(ran[1]).toEqual(ran[0]);
    expect(ran[2]).toEqual(ran[0]);
    expect(ran[0]!.join("")).toContain("('two\nlines')");
  });

  it("property: a .sql revision's statements depend on its line endings exactly when its checksum does", () => {
    const line = fc.string({ unit: fc.constantFrom("a", "'", ";", " ", "-", "\r"), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), fc.array(fc.constantFrom("\n", "\r\n", "\r"), { minLength: 6, maxLength: 6 }), (lines, endings) => {
        const body = lines.map((text, i) => `${text}${endings[i]}`).join("");
        const text = `-- revision: s1\n-- down-revision: none\n-- up\n${body}`;
        const normalised = `-- revision: s1\n-- down-revision: none\n-- up\n${body.replace(/\r\n?/g, "\n")}`;
        expect(revisionChecksum(text)).toBe(revisionChecksum(normalised));
        expect(sqlRevisionScript("s1.sql", text).checksum).toBe(sqlRevisionScript("s1.sql", normalised).checksum);
        const parsed = [text, normalised].map((variant) => {
          const { op, sent } = recordingOp();
          void sqlRevisionScript("s1.sql", variant).up(op);
          return sent;
        });
        expect(parsed[0]).toEqual(parsed[1]);
      }),
      fuzzOptions(2_000),
    );
  });

  describe("TypeScript and JavaScript revisions", () => {
    let folder: string;
    afterEach(() => rm(folder, { recursive: true, force: true }));

    it("template literals read CRLF as LF, so a CRLF checkout runs the same statements", async () => {
      const ran: string[][] = [];
      for (const text of [moduleRevision(""), crlf(moduleRevision(""))]) {
        folder = await mkdtemp(join(tmpdir(), "athanor-crlf-"));
        await writeFile(join(folder, "001_t1.mjs"), text);
        const [script] = await loadRevisionScripts(folder);
        const { op, sent } = recordingOp();
        await script!.up(op);
        ran.push(sent);
        expect(script!.checksum).toBe(revisionChecksum(moduleRevision("")));
        await rm(folder, { recursive: true, force: true });
      }
      expect(ran[1]).toEqual(ran[0]);
      expect(ran[0]).toEqual(["create table notes (body text)", "insert into notes (body) values ('two\nlines')"]);
    });
  });
});

describeEachDialect("an applied revision converted to CRLF", (context) => {
  let folder: string;
  let engine: Engine;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "athanor-crlf-db-"));
    engine = createEngine(await context.freshUrl());
  });
  afterEach(async () => {
    await engine.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  const upgrade = async () => createMigrator(engine, { scripts: await loadRevisionScripts(folder), directory: folder }).upgrade("head");

  it.each([
    ["001_s1.sql", SQL_REVISION],
    ["001_t1.mjs", moduleRevision("")],
  ])("%s: a CRLF-only edit is accepted, a CRLF edit that changes a character is refused", async (name, text) => {
    await writeFile(join(folder, name), text);
    expect((await upgrade()).ok).toBe(true);
    await writeFile(join(folder, name), crlf(await readFile(join(folder, name), "utf8")));
    const again = await upgrade();
    expect(again.ok).toBe(true);
    expect(again.steps).toEqual([]);
    await writeFile(join(folder, name), crlf(text.replace("two", "tw0")));
    await expect(upgrade()).rejects.toBeInstanceOf(ChecksumMismatchError);
  });
});
