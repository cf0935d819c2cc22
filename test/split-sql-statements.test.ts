import { describe, expect, it } from "vitest";
import { SqlScriptSyntaxError } from "../src/errors.js";
import { splitSqlStatements } from "../src/migrate/split-sql-statements.js";
import type { SqlSyntax } from "../src/backends/sql-syntax.js";
import { postgresSqlSyntax } from "../src/backends/postgres/postgres-sql-syntax.js";
import { sqliteSqlSyntax } from "../src/backends/sqlite/sqlite-sql-syntax.js";

const sqls = (script: string, syntax: SqlSyntax) => splitSqlStatements(script, syntax).map((statement) => statement.sql);
const both = [
  ["postgres", postgresSqlSyntax],
  ["sqlite", sqliteSqlSyntax],
] as const;

describe.each(both)("splitSqlStatements (%s rules)", (_name, syntax) => {
  it("splits at top-level semicolons, trims, and drops empty statements", () => {
    expect(sqls("CREATE TABLE a (id int);\nCREATE TABLE b (id int) ;;\n  INSERT INTO a VALUES (1)  ", syntax)).toEqual([
      "CREATE TABLE a (id int)",
      "CREATE TABLE b (id int)",
      "INSERT INTO a VALUES (1)",
    ]);
    expect(sqls("", syntax)).toEqual([]);
    expect(sqls(" ;\n; ", syntax)).toEqual([]);
    expect(sqls("-- just a note\n;\nSELECT 1", syntax)).toEqual(["SELECT 1"]);
  });

  it("reports the line each statement starts on", () => {
    const statements = splitSqlStatements("\n\nSELECT 1;\nSELECT\n2;\r\n\r\n-- note\nSELECT 3;", syntax);
    expect(statements.map((statement) => statement.line)).toEqual([3, 4, 7]);
    expect(statements[2]?.sql).toBe("-- note\nSELECT 3");
  });

  it("keeps semicolons inside string literals, with doubled quotes", () => {
    expect(sqls("INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT ';'", syntax)).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
      "SELECT ';'",
    ]);
  });

  it("keeps semicolons inside double-quoted identifiers", () => {
    expect(sqls('CREATE TABLE "we;ird ""name""" (id int); SELECT 1', syntax)).toEqual(['CREATE TABLE "we;ird ""name""" (id int)', "SELECT 1"]);
  });

  it("ignores semicolons in line and block comments, and drops comment-only statements", () => {
    expect(sqls("SELECT 1; -- trailing; comment\n/* block; comment */ SELECT 2; -- only a comment;\n", syntax)).toEqual([
      "SELECT 1",
      "-- trailing; comment\n/* block; comment */ SELECT 2",
    ]);
    expect(sqls("-- nothing here;\n/* nor; here */", syntax)).toEqual([]);
  });

  it("keeps semicolons inside parentheses", () => {
    expect(sqls("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); UPDATE c SET n = n + 1); SELECT 1", syntax)).toEqual([
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); UPDATE c SET n = n + 1)",
      "SELECT 1",
    ]);
  });

  it("keeps a trigger body together, including CASE … END inside it", () => {
    const script = [
      "CREATE TRIGGER IF NOT EXISTS touch AFTER UPDATE ON users",
      "WHEN CASE WHEN new.a THEN 1 ELSE 0 END",
      "BEGIN",
      "  UPDATE users SET n = CASE WHEN n IS NULL THEN 1 ELSE n + 1 END WHERE id = new.id;",
      "  INSERT INTO log VALUES ('x;y');",
      "END;",
      "BEGIN;",
      "SELECT 2;",
      "COMMIT",
    ].join("\n");
    const statements = sqls(script, syntax);
    expect(statements).toHaveLength(4);
    expect(statements[0]).toMatch(/^CREATE TRIGGER[\s\S]*INSERT INTO log VALUES \('x;y'\);\nEND$/);
    expect(statements.slice(1)).toEqual(["BEGIN", "SELECT 2", "COMMIT"]);
  });

  it("keeps a temporary trigger together", () => {
    expect(sqls("create temp trigger t after insert on a begin delete from b; end; select 1", syntax)).toEqual([
      "create temp trigger t after insert on a begin delete from b; end",
      "select 1",
    ]);
  });

  it("keeps a BEGIN ATOMIC body together", () => {
    const script = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT f()";
    expect(sqls(script, syntax)).toEqual([
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END",
      "SELECT f()",
    ]);
  });

  it("names the line of an unterminated string, identifier or comment", () => {
    const string = (() => {
      try {
        splitSqlStatements("SELECT 1;\nSELECT 'oops;\nSELECT 3;", syntax);
      } catch (error) {
        return error;
      }
    })() as SqlScriptSyntaxError;
    expect(string).toBeInstanceOf(SqlScriptSyntaxError);
    expect(string.code).toBe("SQL_SCRIPT_SYNTAX");
    expect(string.line).toBe(2);
    expect(string.message).toContain("string starting on line 2");
    expect(() => splitSqlStatements('SELECT "x', syntax)).toThrow(/quoted identifier starting on line 1/);
    expect(() => splitSqlStatements("SELECT 1;\n\n/* never closed", syntax)).toThrow(/block comment starting on line 3/);
  });
});

describe("splitSqlStatements: PostgreSQL rules", () => {
  it("keeps dollar-quoted bodies together, with and without tags", () => {
    const script = [
      "CREATE FUNCTION touch() RETURNS trigger AS $$",
      "BEGIN NEW.updated_at := now(); RETURN NEW; END",
      "$$ LANGUAGE plpgsql;",
      "DO $body$ BEGIN PERFORM 'a $$ b;'; END $body$;",
      "SELECT $1, $2;",
    ].join("\n");
    const statements = splitSqlStatements(script, postgresSqlSyntax);
    expect(statements.map((statement) => statement.line)).toEqual([1, 4, 5]);
    expect(statements[0]?.sql).toContain("RETURN NEW; END\n$$ LANGUAGE plpgsql");
    expect(statements[1]?.sql).toBe("DO $body$ BEGIN PERFORM 'a $$ b;'; END $body$");
    expect(statements[2]?.sql).toBe("SELECT $1, $2");
  });

  it("does not start a dollar quote inside an identifier", () => {
    expect(sqls("SELECT a$b$c FROM t; SELECT 2", postgresSqlSyntax)).toEqual(["SELECT a$b$c FROM t", "SELECT 2"]);
  });

  it("reads backslash escapes in E'' strings only", () => {
    expect(sqls("SELECT E'it\\'s; here'; SELECT 2", postgresSqlSyntax)).toEqual(["SELECT E'it\\'s; here'", "SELECT 2"]);
    // in a standard string a backslash is a plain character, so the quote after it closes the string
    expect(sqls("SELECT 'C:\\'; SELECT 2", postgresSqlSyntax)).toEqual(["SELECT 'C:\\'", "SELECT 2"]);
  });

  it("nests block comments", () => {
    expect(sqls("/* a /* b; */ c; */ SELECT 1; SELECT 2", postgresSqlSyntax)).toEqual(["/* a /* b; */ c; */ SELECT 1", "SELECT 2"]);
  });

  it("names the line of an unterminated dollar-quoted body", () => {
    expect(() => splitSqlStatements("SELECT 1;\nDO $fn$ BEGIN; END", postgresSqlSyntax)).toThrow(/dollar-quoted body \$fn\$ starting on line 2/);
  });

  it("does not treat brackets or backticks as quotes", () => {
    expect(sqls("SELECT arr[1] FROM t; SELECT '`'", postgresSqlSyntax)).toEqual(["SELECT arr[1] FROM t", "SELECT '`'"]);
  });
});

describe("splitSqlStatements: SQLite rules", () => {
  it("keeps bracket and backtick identifiers together", () => {
    expect(sqls("CREATE TABLE [a;b] (`c;d` int); SELECT 1", sqliteSqlSyntax)).toEqual(["CREATE TABLE [a;b] (`c;d` int)", "SELECT 1"]);
    expect(sqls("SELECT `a``;b`; SELECT 2", sqliteSqlSyntax)).toEqual(["SELECT `a``;b`", "SELECT 2"]);
  });

  it("does not nest block comments", () => {
    expect(sqls("/* a /* b */ SELECT 1; SELECT 2", sqliteSqlSyntax)).toEqual(["/* a /* b */ SELECT 1", "SELECT 2"]);
  });

  it("treats $ as a parameter sigil, not a dollar quote", () => {
    expect(sqls("SELECT $$; SELECT $a", sqliteSqlSyntax)).toEqual(["SELECT $$", "SELECT $a"]);
  });

  it("has no backslash escapes", () => {
    expect(sqls("SELECT E'a\\'; SELECT 2", sqliteSqlSyntax)).toEqual(["SELECT E'a\\'", "SELECT 2"]);
  });

  it("names the line of an unterminated bracket identifier", () => {
    expect(() => splitSqlStatements("\nSELECT [oops", sqliteSqlSyntax)).toThrow(/quoted identifier starting on line 2/);
  });
});
