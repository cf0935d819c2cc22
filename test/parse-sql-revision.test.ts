import { describe, expect, it } from "vitest";
import { InvalidSqlRevisionError } from "../src/errors.js";
import { parseSqlRevision } from "../src/migrate/parse-sql-revision.js";
import { buildRevisionGraph } from "../src/migrate/revision-graph/index.js";
import { splitSqlStatements } from "../src/migrate/split-sql-statements.js";
import { sqliteSqlSyntax } from "../src/backends/sqlite/sqlite-sql-syntax.js";

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
