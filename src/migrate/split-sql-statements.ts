import { SqlScriptSyntaxError } from "../errors.js";
import type { SqlSyntax } from "../backends/sql-syntax.js";

/**
 * One statement of a script, without its terminating `;`.
 *
 * @example
 * ```ts
 * const [first] = splitSqlStatements("\n\nCREATE TABLE t (id int);", sqliteSqlSyntax);
 * first; // { sql: "CREATE TABLE t (id int)", line: 3 }
 * ```
 */
export interface SqlStatement {
  /** The statement's text, trimmed; comments inside or before it are kept. */
  readonly sql: string;
  /** The 1-based line of the script where the text starts. */
  readonly line: number;
}

const WORD_START = /[A-Za-z_\u0080-\uFFFF]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*)?\$/y;

/**
 * Splits a SQL script into statements at top-level `;`, so a `.sql` revision can run
 * statement by statement on drivers that take one statement per call. A `;` does not
 * split inside quotes (`'…'`, `"…"`, and per `syntax` `E'…'`, `` `…` ``, `[…]`), comments
 * (`-- …`, `/* … *\/`), dollar-quoted bodies (`$$…$$`, `$tag$…$tag$`), parentheses, a
 * trigger's `BEGIN … END` or a `BEGIN ATOMIC … END` body. Statements that are only
 * comments are dropped. Throws {@link SqlScriptSyntaxError} naming the line where an
 * unclosed quote, comment or body starts.
 *
 * @example
 * ```ts
 * splitSqlStatements(`
 *   CREATE FUNCTION touch() RETURNS trigger AS $$
 *   BEGIN NEW.updated_at := now(); RETURN NEW; END
 *   $$ LANGUAGE plpgsql;
 *   -- the trigger
 *   CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
 * `, postgresSqlSyntax).map((statement) => statement.line); // [2, 5]
 * ```
 */
export function splitSqlStatements(script: string, syntax: SqlSyntax): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let index = 0;
  let line = 1;
  let start = 0;
  let startLine: number | null = null;
  let hasCode = false;
  let parens = 0;
  let blocks = 0;
  let leadingWords: string[] = [];
  let previousWord = "";

  const fail = (what: string, openedAt: number): never => {
    throw new SqlScriptSyntaxError(`unterminated ${what} starting on line ${openedAt}`, openedAt);
  };
  // Moves past script[from, to), counting the newlines crossed.
  const advanceTo = (to: number): void => {
    for (let i = index; i < to; i++) if (script.charCodeAt(i) === 10) line++;
    index = to;
  };
  const skipQuoted = (open: number, close: string, what: string, backslashEscapes = false): void => {
    const openedAt = line;
    let i = open + 1;
    for (;;) {
      if (i >= script.length) fail(what, openedAt);
      const char = script[i];
      if (backslashEscapes && char === "\\") i += 2;
      else if (char === close && script[i + 1] === close && close !== "]") i += 2;
      else if (char === close) break;
      else i++;
    }
    advanceTo(i + 1);
  };
  const endStatement = (end: number): void => {
    const sql = script.slice(start, end).trim();
    if (hasCode && sql.length > 0) statements.push({ sql, line: startLine ?? line });
    start = end + 1;
    startLine = null;
    hasCode = false;
    parens = 0;
    blocks = 0;
    leadingWords = [];
    previousWord = "";
  };

  while (index < script.length) {
    const char = script[index] as string;
    const next = script[index + 1];
    if (char === "\n") {
      line++;
      index++;
      continue;
    }
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    startLine ??= line;

    if (char === "-" && next === "-") {
      const end = script.indexOf("\n", index);
      index = end === -1 ? script.length : end;
      continue;
    }
    if (char === "/" && next === "*") {
      const openedAt = line;
      let depth = 0;
      let i = index;
      do {
        if (i >= script.length) fail("block comment", openedAt);
        if (script[i] === "/" && script[i + 1] === "*" && (depth === 0 || syntax.nestedBlockComments)) {
          depth++;
          i += 2;
        } else if (script[i] === "*" && script[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0);
      advanceTo(i);
      continue;
    }

    if (char === ";" && parens === 0 && blocks === 0) {
      endStatement(index);
      index++;
      continue;
    }
    hasCode = true;
    if (char === "'") skipQuoted(index, "'", "string");
    else if (char === '"') skipQuoted(index, '"', "quoted identifier");
    else if (char === "`" && syntax.backtickIdentifiers) skipQuoted(index, "`", "quoted identifier");
    else if (char === "[" && syntax.bracketIdentifiers) skipQuoted(index, "]", "quoted identifier");
    else if (char === "$" && syntax.dollarQuotes && matchDollarTag(script, index) !== null) {
      const tag = matchDollarTag(script, index) as string;
      const close = script.indexOf(tag, index + tag.length);
      if (close === -1) fail(`dollar-quoted body ${tag}`, line);
      advanceTo(close + tag.length);
    } else if (WORD_START.test(char)) {
      let end = index + 1;
      while (end < script.length && WORD_PART.test(script[end] as string)) end++;
      const word = script.slice(index, end).toUpperCase();
      index = end;
      if (word === "E" && script[index] === "'" && syntax.escapeStrings) {
        skipQuoted(index, "'", "string", true);
        continue;
      }
      // CREATE [TEMP] TRIGGER … BEGIN …; END (SQLite) and BEGIN ATOMIC …; END (PostgreSQL) hold
      // statements; CASE … END can nest inside them.
      const isTrigger = leadingWords[0] === "CREATE" && leadingWords.includes("TRIGGER");
      if (word === "BEGIN" && isTrigger) blocks++;
      else if (word === "ATOMIC" && previousWord === "BEGIN") blocks++;
      else if (word === "CASE" && blocks > 0) blocks++;
      else if (word === "END" && blocks > 0) blocks--;
      if (leadingWords.length < 5) leadingWords.push(word);
      previousWord = word;
    } else if (/[0-9]/.test(char)) {
      let end = index + 1;
      while (end < script.length && WORD_PART.test(script[end] as string)) end++;
      index = end;
    } else {
      if (char === "(") parens++;
      else if (char === ")") parens = Math.max(0, parens - 1);
      index++;
    }
  }
  endStatement(script.length);
  return statements;
}

function matchDollarTag(script: string, index: number): string | null {
  DOLLAR_TAG.lastIndex = index;
  return DOLLAR_TAG.exec(script)?.[0] ?? null;
}
