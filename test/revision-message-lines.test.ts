import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresSqlSyntax } from "../src/backends/postgres/postgres-sql-syntax.js";
import { sqliteSqlSyntax } from "../src/backends/sqlite/sqlite-sql-syntax.js";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { InvalidSqlRevisionError, NotSupportedError } from "../src/errors.js";
import { createRevision } from "../src/migrate/create-revision.js";
import { parseSqlRevision } from "../src/migrate/parse-sql-revision.js";
import { renderMigrationSql } from "../src/migrate/render-migration-sql.js";
import type { RevisionScript } from "../src/migrate/revision-script.js";
import { lineBreakIn, singleLine } from "../src/migrate/single-line.js";
import { splitSqlStatements } from "../src/migrate/split-sql-statements.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { fuzzOptions, fuzzTimeout } from "./support/fuzz-runs.js";
import { hostileText, LINE_BREAKS } from "./support/hostile-text.js";

const run = promisify(execFile);
const INJECTION = "x\ndrop table canary; --";

function script(revision: string, message: string | undefined, path = `0001_${revision}.mjs`): RevisionScript {
  return {
    revision,
    downRevision: null,
    message,
    path,
    checksum: "0".repeat(64),
    transactional: true,
    up: async (op) => {
      await op.execute("select 1");
    },
    down: async () => {},
  };
}

function render(dialect: "postgres" | "sqlite", scripts: RevisionScript[]): Promise<string> {
  return renderMigrationSql({ dialect, scripts, direction: "upgrade", target: "head" });
}

/**
 * The script's shape: every literal becomes `?` (also SQLite's `('a' || char(13) || 'b')`),
 * every comment `--` (ended by CR or LF, as PostgreSQL ends it), every timestamp `T`. Two scripts of one shape run the same statements.
 */
function shape(text: string): string {
  return text
    .replace(/--[^\r\n]*|'(?:[^']|'')*'/g, (token) => (token.startsWith("--") ? "--" : "?"))
    .replace(/\(\?(?: \|\| char\(13\) \|\| \?)+\)/g, "?")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "T");
}

describe("revision messages and paths never leave their SQL comment", () => {
  it.each(LINE_BREAKS.map((terminator) => [JSON.stringify(terminator), terminator]))("upgrade --sql with %s in the message", async (_, terminator) => {
    for (const dialect of ["postgres", "sqlite"] as const) {
      const rendering = render(dialect, [script("r1", `x${terminator}drop table canary; --`)]);
      // NUL cannot be written into the version table's row either: refused, see below.
      if (terminator === "\u0000") {
        await expect(rendering).rejects.toBeInstanceOf(NotSupportedError);
        continue;
      }
      const text = await rendering;
      const statements = splitSqlStatements(text, dialect === "postgres" ? postgresSqlSyntax : sqliteSqlSyntax).map((statement) => shape(statement.sql));
      expect(statements.some((statement) => /drop table canary/i.test(statement))).toBe(false);
      expect(shape(text)).toBe(shape(await render(dialect, [script("r1", "m")])));
    }
  });

  it("upgrade --sql with a line break in the file path", async () => {
    const text = await render("postgres", [script("r1", "m", "0001_x\ndrop table canary; --.mjs")]);
    expect(shape(text)).toBe(shape(await render("postgres", [script("r1", "m")])));
    expect(text).toContain("-- upgrade r1: m (0001_x drop table canary; --.mjs)");
  });

  it("a value no script file can carry verbatim (NUL, a lone surrogate) is refused, not written", async () => {
    await expect(render("postgres", [script("r1", "a\u0000b")])).rejects.toBeInstanceOf(NotSupportedError);
    await expect(render("sqlite", [script("r1", "a\ud800b")])).rejects.toBeInstanceOf(NotSupportedError);
  });

  describe("revision --sql -m", () => {
    let folder: string;
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), "athanor-message-"));
    });
    afterAll(() => rm(folder, { recursive: true, force: true }));

    it("a CR in the message cannot add a header line", async () => {
      const { path } = await createRevision({ directory: folder, message: "add x\r-- transactional: false", format: "sql", revision: "cr1", downRevision: null });
      const parsed = parseSqlRevision(await readFile(path, "utf8"), path);
      expect(parsed.transactional).toBe(true);
      expect(parsed.message).toBe("add x -- transactional: false");
      await rm(path);
    });

    it("a message of blanks only writes no message header (an empty one would not parse)", async () => {
      const { path } = await createRevision({ directory: folder, message: "\n\u2028 ", format: "sql", revision: "cr2", downRevision: null });
      expect(parseSqlRevision(await readFile(path, "utf8"), path).message).toBeUndefined();
      await rm(path);
    });

    it("property: the file parses back with the message on one line and no other header changed", async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(hostileText(), async (message) => {
          const revision = `p${n++}`;
          const { path } = await createRevision({ directory: folder, message, format: "sql", revision, downRevision: null, up: "select 1;" });
          try {
            const parsed = parseSqlRevision(await readFile(path, "utf8"), path);
            expect(parsed.revision).toBe(revision);
            expect(parsed.downRevision).toBeNull();
            expect(parsed.transactional).toBe(true);
            expect(parsed.up.trim()).toBe("select 1;");
            const expected = singleLine(message).trim();
            expect(parsed.message).toBe(expected === "" ? undefined : expected);
          } finally {
            await rm(path);
          }
        }),
        fuzzOptions(300),
      );
    }, fuzzTimeout(30_000));
  });

  describe(".sql headers", () => {
    it.each(["\u2028", "\u2029", "\u0085", "\u000b", "\u000c", "\u0000"].map((c) => [c.codePointAt(0)!.toString(16).padStart(4, "0"), c]))("a header line holding U+%s is refused, never skipped", (_, separator) => {
      const text = `-- revision: r1\n-- down-revision: none\n-- message: a${separator}-- transactional: false\n-- up\nselect 1;\n`;
      expect(() => parseSqlRevision(text, "r1.sql")).toThrow(InvalidSqlRevisionError);
      expect(() => parseSqlRevision(`-- revision: r1${separator}\n-- down-revision: none\n-- up\n`, "r1.sql")).toThrow(/U\+/);
    });

    it("property: a header value parses back exactly, or the file is refused", () => {
      fc.assert(
        // CR and LF end a header line for this parser; a writer must remove them (singleLine).
        fc.property(hostileText().map((text) => text.replace(/[\r\n]/g, "")), fc.boolean(), (value, transactional) => {
          const text = `-- revision: r1\n-- down-revision: none\n-- message: ${value}\n-- transactional: ${transactional}\n-- up\nselect 1;\n`;
          let parsed;
          try {
            parsed = parseSqlRevision(text, "r1.sql");
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidSqlRevisionError);
            return;
          }
          // Accepted: the value was one line, and every header says what the text says.
          expect(parsed.message).toBe(value.trim());
          expect(lineBreakIn(value)).toBeUndefined();
          expect(parsed.transactional).toBe(transactional);
          expect(parsed.up).toBe("select 1;\n");
        }),
        fuzzOptions(3_000),
      );
    });
  });

  it("property: upgrade --sql keeps its shape whatever the message and path hold (re-parsed on both dialects)", async () => {
    const baseline = {
      postgres: shape(await render("postgres", [script("r1", "m", "p.mjs")])),
      sqlite: shape(await render("sqlite", [script("r1", "m", "p.mjs")])),
    };
    await fc.assert(
      fc.asyncProperty(hostileText(), hostileText({ maxLength: 4 }), fc.constantFrom("postgres" as const, "sqlite" as const), async (message, path, dialect) => {
        let text: string;
        try {
          text = await render(dialect, [script("r1", message, `${path}.mjs`)]);
        } catch (error) {
          expect(error).toBeInstanceOf(NotSupportedError);
          expect([message, path].some((text) => /\u0000|\p{Surrogate}/u.test(text))).toBe(true);
          return;
        }
        expect(shape(text)).toBe(baseline[dialect]);
        const statements = splitSqlStatements(text, dialect === "postgres" ? postgresSqlSyntax : sqliteSqlSyntax);
        expect(statements.map((statement) => shape(statement.sql).replace(/^(--\s*)+/, ""))).not.toContainEqual(expect.stringMatching(/^drop/i));
      }),
      fuzzOptions(3_000),
    );
  });
});

describeEachDialect(
  "upgrade --sql run through the real client: the canary survives and the message round-trips",
  (context) => {
    let folder: string;
    let engine: Engine;
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), "athanor-offline-fuzz-"));
      engine = createEngine(context.url());
      await sql`create table canary (id integer primary key)`.execute(engine.db);
      await sql`insert into canary (id) values (1)`.execute(engine.db);
    });
    afterAll(async () => {
      await engine.dispose();
      await rm(folder, { recursive: true, force: true });
    });

    async function runScript(path: string): Promise<void> {
      if (context.isPostgres) await run("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-q", "-f", path, context.url()]);
      else await run("sqlite3", ["-bail", context.url().slice("sqlite:".length), `.read ${path}`]);
    }

    it("the issue's payload: the table is not dropped", async () => {
      const path = join(folder, "issue.sql");
      await writeFile(path, await render(context.isPostgres ? "postgres" : "sqlite", [script("issue", INJECTION)]));
      await runScript(path);
      expect((await sql<{ n: number }>`select count(*) as n from canary`.execute(engine.db)).rows[0]?.n).toEqual(context.isPostgres ? "1" : 1);
      const rows = await engine.db.selectFrom("athanor_revisions").select("message").where("revision", "=", "issue").execute();
      expect(rows).toEqual([{ message: INJECTION }]);
    });

    it(
      "property: hostile messages",
      async () => {
        let n = 0;
        await fc.assert(
          fc.asyncProperty(hostileText(), async (message) => {
            const revision = `f${n++}`;
            let text: string;
            try {
              text = await render(context.isPostgres ? "postgres" : "sqlite", [script(revision, message)]);
            } catch (error) {
              expect(error).toBeInstanceOf(NotSupportedError);
              return;
            }
            const path = join(folder, `${revision}.sql`);
            await writeFile(path, text);
            await runScript(path);
            const count = (await sql<{ n: number | string }>`select count(*) as n from canary`.execute(engine.db)).rows[0]?.n;
            expect(Number(count)).toBe(1);
            const rows = await engine.db.selectFrom("athanor_revisions").select("message").where("revision", "=", revision).execute();
            expect(rows).toEqual([{ message }]);
          }),
          fuzzOptions(40),
        );
      },
      fuzzTimeout(60_000),
    );
  },
  ["sqlite-file", "postgres"],
);
