import { describe, expect, it } from "vitest";
import { InvalidSqlRevisionError } from "../src/errors.js";
import { parseSqlRevision } from "../src/migrate/parse-sql-revision.js";
import { buildRevisionGraph } from "../src/migrate/revision-graph/index.js";
import { splitSqlStatements } from "../src/migrate/split-sql-statements.js";
import { sqliteSqlSyntax } from "../src/backends/sqlite/sqlite-sql-syntax.js";
import { dialectSql } from "../src/migrate/dialect-sql.js";
import { controlStatement, transactionControl } from "../src/migrate/transaction-control.js";

const FILE = "migrations/0002_add_agents.sql";

function failure(text: string): InvalidSqlRevisionError {
  try {
    parseSqlRevision(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSqlRevisionError);
    return error as InvalidSqlRevisionError;
  }
  throw new Error("expected parseSqlRevision to throw");
}

describe("parseSqlRevision", () => {
  it("parses headers and both sections", () => {
    const text = [
      "-- revision: b2c3d4e5f6a1",
      "-- down-revision: a1b2c3d4e5f6",
      "-- message: add agents; with an owner",
      "",
      "-- up",
      "CREATE TABLE agents (id text PRIMARY KEY, owner_id text);",
      "CREATE INDEX ix_agents_owner ON agents (owner_id);",
      "",
      "-- down",
      "DROP TABLE agents;",
    ].join("\n");
    const revision = parseSqlRevision(text, FILE);
    expect(revision).toEqual({
      revision: "b2c3d4e5f6a1",
      downRevision: "a1b2c3d4e5f6",
      message: "add agents; with an owner",
      transactional: true,
      up: "CREATE TABLE agents (id text PRIMARY KEY, owner_id text);\nCREATE INDEX ix_agents_owner ON agents (owner_id);\n",
      down: "DROP TABLE agents;",
      upLine: 6,
      downLine: 10,
      file: FILE,
      format: "legacy",
    });
  });

  it("maps statement lines back to file lines through upLine", () => {
    const text = "-- revision: r1\n-- down-revision: none\n-- up\n\nCREATE TABLE a (id int);\n\nCREATE TABLE b (id int);\n-- down\nDROP TABLE b;\nDROP TABLE a;";
    const revision = parseSqlRevision(text, FILE);
    const lines = splitSqlStatements(revision.up, sqliteSqlSyntax).map((statement) => revision.upLine + statement.line - 1);
    expect(lines).toEqual([5, 7]);
    expect(text.split("\n")[6]).toBe("CREATE TABLE b (id int);");
    const downLines = splitSqlStatements(revision.down ?? "", sqliteSqlSyntax).map((statement) => (revision.downLine ?? 0) + statement.line - 1);
    expect(downLines).toEqual([9, 10]);
  });

  it("reads none as a base and a comma-separated list as a merge", () => {
    expect(parseSqlRevision("-- revision: a1\n-- down-revision: none\n-- up\n", FILE).downRevision).toBeNull();
    expect(parseSqlRevision("-- revision: a1\n-- down-revision: NONE\n-- up\n", FILE).downRevision).toBeNull();
    expect(parseSqlRevision("-- revision: m1\n-- down-revision: b1, c1 ,d1\n-- up\n", FILE).downRevision).toEqual(["b1", "c1", "d1"]);
  });

  it("reads transactional: false, case-insensitively, and defaults to true", () => {
    const base = "-- revision: a1\n-- down-revision: none\n";
    expect(parseSqlRevision(`${base}-- transactional: false\n-- up\nCREATE INDEX CONCURRENTLY ix ON t (c);`, FILE).transactional).toBe(false);
    expect(parseSqlRevision(`${base}-- Transactional: TRUE\n-- up\n`, FILE).transactional).toBe(true);
    expect(parseSqlRevision(`${base}-- up\n`, FILE).transactional).toBe(true);
  });

  it("allows a missing down section (the revision cannot be downgraded) and empty sections (a merge)", () => {
    const noDown = parseSqlRevision("-- revision: a1\n-- down-revision: none\n-- up\nSELECT 1;", FILE);
    expect(noDown.down).toBeNull();
    expect(noDown.downLine).toBeNull();
    const merge = parseSqlRevision("-- revision: m1\n-- down-revision: b1, c1\n-- message: merge heads\n-- up\n-- down\n", FILE);
    expect(merge.up).toBe("");
    expect(merge.down).toBe("");
  });

  it("accepts free comments among the headers, spacing and case variations, CRLF and a byte-order mark", () => {
    const text = "\uFEFF-- Add the agents table.\r\n--revision:a1\r\n  --   DOWN-REVISION :  none  \r\n-- see ticket 42\r\n--UP\r\nSELECT 1;\r\n  -- Down  \r\nSELECT 2;\r\n";
    const revision = parseSqlRevision(text, FILE);
    expect(revision.revision).toBe("a1");
    expect(revision.downRevision).toBeNull();
    expect(revision.up).toBe("SELECT 1;");
    expect(revision.down).toBe("SELECT 2;\n");
    expect(revision.upLine).toBe(6);
  });

  it("produces a record the revision graph accepts", () => {
    const a = parseSqlRevision("-- revision: a1\n-- down-revision: none\n-- up\n", "a.sql");
    const b = parseSqlRevision("-- revision: b1\n-- down-revision: a1\n-- up\n", "b.sql");
    const m = parseSqlRevision("-- revision: m1\n-- down-revision: a1, b1\n-- up\n", "m.sql");
    const graph = buildRevisionGraph([m, b, a]);
    expect(graph.order).toEqual(["a1", "b1", "m1"]);
    expect(graph.nodes.get("m1")?.record.file).toBe("m.sql");
  });

  it.each([
    ["-- revision: a1\n-- down-revision: none\nCREATE TABLE t (id int);\n-- up\n", 3, "SQL before the -- up section"],
    ["-- revision: a1\n-- down-revision: none\n", 3, "no -- up section"],
    ["-- down-revision: none\n-- up\n", 1, "missing header -- revision"],
    ["-- revision: a1\n-- up\n", 1, "missing header -- down-revision"],
    ["-- revision: a1\n-- down_revision: none\n-- up\n", 2, 'unknown header "down_revision"'],
    ["-- revision: a1\n-- down-revison: none\n-- up\n", 2, 'unknown header "down-revison"'],
    ["-- revision: a1\n-- revision: a2\n-- down-revision: none\n-- up\n", 2, "the revision header appears twice"],
    ["-- revision:\n-- down-revision: none\n-- up\n", 1, "the revision header is empty"],
    ["-- revision: a-1\n-- down-revision: none\n-- up\n", 1, 'invalid revision id "a-1"'],
    ["-- revision: head\n-- down-revision: none\n-- up\n", 1, 'invalid revision id "head"'],
    ["-- revision: a1\n-- down-revision: b1,,c1\n-- up\n", 2, 'invalid down-revision ""'],
    ["-- revision: a1\n-- down-revision: b1, b1\n-- up\n", 2, "listed twice"],
    ["-- revision: a1\n-- down-revision: none\n-- transactional: no\n-- up\n", 3, "transactional must be true or false"],
    ["-- revision: a1\n-- down-revision: none\n-- up\nSELECT 1;\n-- up\n", 5, "a second -- up section"],
    ["-- revision: a1\n-- down-revision: none\n-- up\n-- down\n-- down\n", 5, "a second -- down section"],
    ["-- revision: a1\n-- down-revision: none\n-- up\n-- down\n-- up\n", 5, "-- up must come before -- down"],
    ["-- revision: a1\n-- down-revision: none\n-- down\nDROP TABLE t;\n-- up\n", 3, "-- down before -- up"],
  ])("rejects a malformed file, naming the file and line: %j", (text, line, problem) => {
    const error = failure(text);
    expect(error.code).toBe("INVALID_SQL_REVISION");
    expect(error.file).toBe(FILE);
    expect(error.line).toBe(line);
    expect(error.message).toContain(problem);
    expect(error.message.startsWith(`${FILE}:${line}: `)).toBe(true);
  });
});

describe("parseSqlRevision: the -- athanor: format", () => {
  // Seed 003's own example file, with the three directive lines added above it.
  const SEED_003_BODY = [
    "-- Migration 009: Add feature X",
    "-- Created: 2025-XX-XX",
    "",
    "BEGIN;",
    "",
    "ALTER TABLE modules",
    "ADD COLUMN new_field VARCHAR(255);",
    "",
    "COMMIT;",
    "",
    "-- Rollback:",
    "-- ALTER TABLE modules DROP COLUMN new_field;",
  ];

  it("reads only -- athanor: lines: any other comment is a comment, among the headers and in the sections", () => {
    const text = [
      "-- athanor:revision legacy_009",
      "-- athanor:down-revision legacy_008",
      "-- Created: 2025-11-02",
      "-- revision: this is a comment now, not a header",
      "-- athanor:message add feature X",
      "-- athanor:up",
      ...SEED_003_BODY,
    ].join("\n");
    const revision = parseSqlRevision(text, FILE);
    expect(revision).toMatchObject({ revision: "legacy_009", downRevision: "legacy_008", message: "add feature X", transactional: true, format: "athanor", upLine: 7, down: null });
    expect(revision.up).toBe(SEED_003_BODY.join("\n"));
  });

  it("reads headers with any spacing and case, transactional, merges and a down section", () => {
    const text = "--athanor:REVISION  m1 \n  --  athanor : down-revision a1, b1\n-- athanor:transactional FALSE\n-- athanor:up\nselect 1;\n-- athanor:down\nselect 2;";
    expect(parseSqlRevision(text, FILE)).toMatchObject({ revision: "m1", downRevision: ["a1", "b1"], transactional: false, up: "select 1;", down: "select 2;", downLine: 7 });
  });

  it("keeps -- athanor:dialect lines in the section text (dialectSql picks the lines of one dialect)", () => {
    const text = "-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:up\nselect 1;\n-- athanor:dialect postgres\nselect 2;\n-- athanor:dialect all\n";
    expect(parseSqlRevision(text, FILE).up).toBe("select 1;\n-- athanor:dialect postgres\nselect 2;\n-- athanor:dialect all\n");
  });

  it("an older file keeps loading, and a free comment that happens to hold a colon is now a comment there too", () => {
    const revision = parseSqlRevision("-- Migration 009: Add feature X\n-- Created: 2025-XX-XX\n-- revision: a1\n-- down-revision: none\n-- Rollback:\n-- up\nselect 1;\n", FILE);
    expect(revision).toMatchObject({ revision: "a1", downRevision: null, format: "legacy", up: "select 1;\n" });
  });

  it.each([
    ["-- athanor:revision a1\n-- athanor:down-revision none\ncreate table t (id int);\n-- athanor:up\n", 3, "SQL before the -- athanor:up section"],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n", 3, "no -- athanor:up section"],
    ["-- athanor:down-revision none\n-- athanor:up\n", 1, "missing header -- athanor:revision"],
    ["-- athanor:revision a1\n-- athanor:up\n", 1, "missing header -- athanor:down-revision"],
    ["-- athanor:revision a1\n-- athanor:down-revison none\n-- athanor:up\n", 2, 'unknown directive "-- athanor:down-revison"'],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:up\n-- athanor:message late\n", 4, "-- athanor:message inside the up section"],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:dialect postgres\n-- athanor:up\n", 3, "-- athanor:dialect outside a section"],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:up\n-- athanor:dialect mysql\n", 4, '-- athanor:dialect must be one of postgres, sqlite, all, got "mysql"'],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:up now\n", 3, "-- athanor:up takes no value"],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:up\n-- athanor:up\n", 4, "a second -- athanor:up section"],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:down\n", 3, "-- athanor:down before -- athanor:up"],
    ["-- athanor:revision a1\n-- athanor:revision a2\n-- athanor:down-revision none\n-- athanor:up\n", 2, "the revision header appears twice"],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:transactional maybe\n-- athanor:up\n", 3, "transactional must be true or false"],
    ["-- athanor:revision a1\n-- athanor:down-revision none\n-- athanor:message a\u2028b\n-- athanor:up\n", 3, "U+2028 in the header lines"],
    // The older format still refuses what looks like a misspelt header.
    ["-- revision: a1\n-- down-revison: none\n-- up\n", 2, "did you mean down-revision?"],
    ["-- Created: 2025-01-01\ncreate table t (id int);\n", 2, "SQL before the -- up section"],
  ])("refuses a malformed file, naming the file and line: %j", (text, line, problem) => {
    const error = failure(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(problem);
  });
});

describe("dialectSql", () => {
  const section = "create table m (id int);\n-- athanor:dialect postgres\ncreate index concurrently ix on m (id);\n-- athanor:dialect sqlite\ncreate index ix on m (id);\n-- athanor:dialect all\ninsert into m values (1);";

  it("keeps the common lines and those of the dialect, blanking the others so line numbers hold", () => {
    expect(dialectSql(section, "postgres").split("\n")).toEqual([
      "create table m (id int);",
      "-- athanor:dialect postgres",
      "create index concurrently ix on m (id);",
      "-- athanor:dialect sqlite",
      "",
      "-- athanor:dialect all",
      "insert into m values (1);",
    ]);
    expect(splitSqlStatements(dialectSql(section, "sqlite"), sqliteSqlSyntax)).toEqual([
      { sql: "create table m (id int)", line: 1 },
      { sql: "-- athanor:dialect postgres\n\n-- athanor:dialect sqlite\ncreate index ix on m (id)", line: 2 },
      { sql: "-- athanor:dialect all\ninsert into m values (1)", line: 6 },
    ]);
  });

  it("returns a section without dialect lines as it is", () => {
    expect(dialectSql("select 1;\n-- dialect postgres\n", "sqlite")).toBe("select 1;\n-- dialect postgres\n");
  });
});

describe("transactionControl", () => {
  const control = (script: string) => transactionControl(splitSqlStatements(script, sqliteSqlSyntax));

  it("no BEGIN/COMMIT at the top level: none (trigger bodies and strings do not count)", () => {
    expect(control("create table t (id int);\ncreate trigger tr after insert on t begin select 1; end;\ninsert into t values ('begin; commit;');")).toEqual({ kind: "none" });
  });

  it.each(["BEGIN", "begin transaction", "BEGIN IMMEDIATE", "START TRANSACTION", "BEGIN WORK"])("one plain block around everything (%s … COMMIT): wrapped, the inside kept", (begin) => {
    expect(control(`-- Migration 009\n${begin};\nalter table t add column x text;\ncreate index ix on t (x);\nCOMMIT;\n-- Rollback:\n-- alter table t drop column x;`)).toEqual({
      kind: "wrapped",
      statements: [
        { sql: "alter table t add column x text", line: 3 },
        { sql: "create index ix on t (x)", line: 4 },
      ],
    });
    expect(control(`${begin};\nselect 1;\nEND TRANSACTION;`).kind).toBe("wrapped");
  });

  it.each([
    ["two blocks", "BEGIN;\nselect 1;\nCOMMIT;\nBEGIN;\nselect 2;\nCOMMIT;", 1],
    ["a statement after the block", "BEGIN;\nselect 1;\nCOMMIT;\nvacuum;", 1],
    ["a statement before the block", "select 0;\nBEGIN;\nselect 1;\nCOMMIT;", 2],
    ["an isolation level", "BEGIN ISOLATION LEVEL SERIALIZABLE;\nselect 1;\nCOMMIT;", 1],
    ["a ROLLBACK", "BEGIN;\nselect 1;\nROLLBACK;", 1],
    ["a COMMIT alone", "select 1;\nCOMMIT;", 2],
  ])("anything else (%s): own, naming the first control statement's line", (_, script, line) => {
    expect(control(script)).toEqual({ kind: "own", line });
  });

  it("a savepoint and ROLLBACK TO inside the block are not transaction control", () => {
    expect(control("BEGIN;\nsavepoint s;\nrollback to savepoint s;\nrelease s;\nCOMMIT;").kind).toBe("wrapped");
    expect(controlStatement("/* c */ rollback to s")).toBeUndefined();
  });
});
