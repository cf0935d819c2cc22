import { editDistance } from "../engine/option-spec.js";
import { InvalidSqlRevisionError } from "../errors.js";
import type { Revision } from "./revision-graph/revision.js";
import { lineBreakIn } from "./single-line.js";

/**
 * A `.sql` revision file, parsed. Section text is kept verbatim (line for line), so a
 * statement on line `n` of `up` is on line `upLine + n - 1` of the file.
 *
 * @example
 * ```ts
 * const revision = parseSqlRevision(text, "migrations/0002_add_agents.sql");
 * revision.downRevision;  // "a1b2c3d4e5f6"
 * splitSqlStatements(dialectSql(revision.up, "postgres"), postgresSqlSyntax);
 * ```
 */
export interface SqlRevision extends Revision {
  readonly revision: string;
  readonly downRevision: string | readonly string[] | null;
  readonly message: string | undefined;
  /** False when the file says `-- athanor:transactional false` (e.g. for `CREATE INDEX CONCURRENTLY`). */
  readonly transactional: boolean;
  /** The SQL of the up section, `-- athanor:dialect` lines included (see `dialectSql`). */
  readonly up: string;
  /** The SQL of the down section; `null` when the file has none (the revision cannot be downgraded). */
  readonly down: string | null;
  /** The file line where the `up` text starts (the line after the up marker). */
  readonly upLine: number;
  /** The file line where the `down` text starts, or `null`. */
  readonly downLine: number | null;
  /** The file name given to the parser. */
  readonly file: string;
  /**
   * `athanor`: directives `-- athanor:…` (what `athanor revision --sql` writes); `legacy`: the
   * older `-- key: value` headers with `-- up` / `-- down` sections, still read.
   */
  readonly format: "athanor" | "legacy";
}

const DIRECTIVE = /^\s*--\s*athanor\s*:\s*([A-Za-z_-]*)(.*)$/i;
const LEGACY_SECTION = /^\s*--\s*(up|down)\s*$/i;
const LEGACY_HEADER = /^\s*--\s*([A-Za-z_-]+)\s*:\s*(.*?)\s*$/;
const REVISION_ID = /^[A-Za-z0-9_]+$/;
const HEADERS = ["revision", "down-revision", "message", "transactional"] as const;
const DIALECTS = ["postgres", "sqlite", "all"] as const;
type HeaderName = (typeof HEADERS)[number];
type Format = SqlRevision["format"];

/**
 * Parses a plain `.sql` revision. The format `athanor revision --sql` writes:
 *
 * ```sql
 * -- Any comment, anywhere: only `-- athanor:` lines are read.
 * -- athanor:revision 8c41d2e0a9f3
 * -- athanor:down-revision 3f2a9c1d7b4e        (an id, a comma-separated list for a merge, or none)
 * -- athanor:message add agents                  (optional)
 * -- athanor:transactional false                 (optional, default true)
 * -- athanor:up
 * create table agents (…);
 * -- athanor:dialect postgres                    (lines for one dialect, until the next dialect line)
 * create index concurrently …;
 * -- athanor:dialect all
 * -- athanor:down                                (optional: without it the revision cannot be downgraded)
 * drop table agents;
 * ```
 *
 * Every other line before the up section must be a comment or blank; an unknown
 * `-- athanor:` directive is an error (a typo is not ignored). A file with no `-- athanor:`
 * line is read in the older format: `-- revision: …`, `-- down-revision: …`, `-- message: …`,
 * `-- transactional: …` headers among free comments, then `-- up` / `-- down`; there a
 * comment that looks like a misspelt header (`-- down-revison: x`) is an error and any other
 * (`-- Created: 2025-01-01`) is a comment. Lines end at LF, CRLF or CR; a line before the up
 * section holding another line separator (U+2028, U+2029, U+0085, VT, FF) or a control
 * character is refused, never a header silently skipped. Pure: the caller reads the file
 * and computes its checksum. Throws {@link InvalidSqlRevisionError} naming the file and line.
 *
 * @example
 * ```ts
 * const revision = parseSqlRevision(
 *   [
 *     "-- athanor:revision b2c3d4e5f6a1",
 *     "-- athanor:down-revision a1b2c3d4e5f6",
 *     "-- Created: 2025-11-02 (a free comment)",
 *     "-- athanor:up",
 *     "CREATE TABLE agents (id text PRIMARY KEY);",
 *     "-- athanor:down",
 *     "DROP TABLE agents;",
 *   ].join("\n"),
 *   "0002_add_agents.sql",
 * );
 * revision.up;     // "CREATE TABLE agents (id text PRIMARY KEY);"
 * revision.upLine; // 5
 * ```
 */
export function parseSqlRevision(text: string, file: string): SqlRevision {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const format: Format = lines.some((line) => DIRECTIVE.test(line)) ? "athanor" : "legacy";
  const fail = (line: number, problem: string): never => {
    throw new InvalidSqlRevisionError(`${file}:${line}: ${problem}`, file, line);
  };
  const spell = (name: string) => (format === "athanor" ? `-- athanor:${name}` : name === "up" || name === "down" ? `-- ${name}` : `-- ${name}:`);

  const headers = new Map<HeaderName, { value: string; line: number }>();
  let section: "header" | "up" | "down" = "header";
  const sections = { up: [] as string[], down: [] as string[] };
  let upLine = 0;
  let downLine: number | null = null;

  const enter = (marker: "up" | "down", line: number): void => {
    if (marker === "up") {
      if (section !== "header") fail(line, section === "up" ? `a second ${spell("up")} section` : `${spell("up")} must come before ${spell("down")}`);
      section = "up";
      upLine = line + 1;
      return;
    }
    if (section === "header") fail(line, `${spell("down")} before ${spell("up")}: the up section comes first`);
    if (section === "down") fail(line, `a second ${spell("down")} section`);
    section = "down";
    downLine = line + 1;
  };
  const setHeader = (name: HeaderName, value: string, line: number): void => {
    if (headers.has(name)) fail(line, `the ${name} header appears twice`);
    if (value === "") fail(line, `the ${name} header is empty`);
    headers.set(name, { value, line });
  };
  // Lines end at CR and LF only (as PostgreSQL and SQLite end a -- comment); any other line
  // separator or control character before the up section would hide a header from this
  // parser, or show another tool a line this parser never saw, so it is refused.
  const checkHeaderLine = (content: string, line: number): void => {
    const odd = lineBreakIn(content);
    if (odd !== undefined) fail(line, `${odd} in the header lines; headers and comments before ${spell("up")} are single lines of text`);
  };
  const sqlBeforeUp = (line: number): never =>
    fail(
      line,
      format === "athanor"
        ? "SQL before the -- athanor:up section; start the SQL with a line reading -- athanor:up"
        : "SQL before the -- up section; start the SQL with a line reading -- up (or use the -- athanor: directives; numbered legacy files are taken in with athanor adopt)",
    );

  lines.forEach((content, index) => {
    const line = index + 1;
    if (format === "athanor") {
      const directive = DIRECTIVE.exec(content);
      if (directive !== null) {
        if (section === "header") checkHeaderLine(content, line);
        readDirective(directive[1]!.toLowerCase(), directive[2]!.trim(), content, line);
        return;
      }
    } else {
      const marker = LEGACY_SECTION.exec(content)?.[1]?.toLowerCase() as "up" | "down" | undefined;
      if (marker !== undefined) {
        enter(marker, line);
        return;
      }
    }
    if (section !== "header") {
      sections[section].push(content);
      return;
    }
    checkHeaderLine(content, line);
    if (content.trim() === "") return;
    if (format === "legacy") {
      const header = LEGACY_HEADER.exec(content);
      if (header !== null && readLegacyHeader(header[1]!.toLowerCase(), header[2]!, line)) return;
    }
    if (!content.trimStart().startsWith("--")) sqlBeforeUp(line);
  });

  function readDirective(name: string, value: string, content: string, line: number): void {
    if (name === "up" || name === "down") {
      if (value !== "") fail(line, `-- athanor:${name} takes no value (got "${value}")`);
      enter(name, line);
      return;
    }
    if (name === "dialect") {
      if (section === "header") fail(line, "-- athanor:dialect outside a section: it goes after -- athanor:up or -- athanor:down");
      if (!(DIALECTS as readonly string[]).includes(value.toLowerCase())) fail(line, `-- athanor:dialect must be one of ${DIALECTS.join(", ")}, got "${value}"`);
      sections[section as "up" | "down"].push(content);
      return;
    }
    if ((HEADERS as readonly string[]).includes(name)) {
      if (section !== "header") fail(line, `-- athanor:${name} inside the ${section} section; header directives go before -- athanor:up`);
      setHeader(name as HeaderName, value, line);
      return;
    }
    fail(line, `unknown directive "-- athanor:${name}"; expected ${[...HEADERS, "up", "down", "dialect"].map((known) => `athanor:${known}`).join(", ")}`);
  }

  /** True when the line is a header; false when it is a comment that happens to hold a colon. */
  function readLegacyHeader(name: string, value: string, line: number): boolean {
    if ((HEADERS as readonly string[]).includes(name)) {
      setHeader(name as HeaderName, value, line);
      return true;
    }
    const near = HEADERS.find((known) => editDistance(name.replaceAll("_", "-"), known) <= 2);
    if (near !== undefined) fail(line, `unknown header "${name}"; did you mean ${near}? (expected ${HEADERS.join(", ")}; other comments may be anything but a near-miss header)`);
    return false;
  }

  if (section === "header") fail(lines.length, `no ${spell("up")} section: add a line reading ${spell("up")} before the SQL`);
  const revision = headers.get("revision") ?? fail(1, `missing header ${spell("revision")} <id>`);
  const downRevision = headers.get("down-revision") ?? fail(1, `missing header ${spell("down-revision")} <id>, <id>, … or none`);
  const transactional = headers.get("transactional");

  if (!REVISION_ID.test(revision.value) || ["head", "heads", "base"].includes(revision.value)) {
    fail(revision.line, `invalid revision id "${revision.value}": use ASCII letters, digits and "_", not head, heads or base`);
  }
  let parents: string | string[] | null = null;
  if (downRevision.value.toLowerCase() !== "none") {
    const list = downRevision.value.split(",").map((entry) => entry.trim());
    for (const entry of list) {
      if (!REVISION_ID.test(entry)) fail(downRevision.line, `invalid down-revision "${entry}" in "${downRevision.value}"`);
    }
    if (new Set(list).size !== list.length) fail(downRevision.line, `a down-revision is listed twice in "${downRevision.value}"`);
    parents = list.length === 1 ? (list[0] as string) : list;
  }
  if (transactional !== undefined && !/^(true|false)$/i.test(transactional.value)) {
    fail(transactional.line, `transactional must be true or false, got "${transactional.value}"`);
  }

  return Object.freeze({
    revision: revision.value,
    downRevision: Array.isArray(parents) ? Object.freeze(parents) : parents,
    message: headers.get("message")?.value,
    transactional: transactional === undefined || transactional.value.toLowerCase() === "true",
    up: sections.up.join("\n"),
    down: downLine === null ? null : sections.down.join("\n"),
    upLine,
    downLine,
    file,
    format,
  });
}
