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
 * splitSqlStatements(revision.up, postgresSqlSyntax);
 * ```
 */
export interface SqlRevision extends Revision {
  readonly revision: string;
  readonly downRevision: string | readonly string[] | null;
  readonly message: string | undefined;
  /** False when the file says `-- transactional: false` (e.g. for `CREATE INDEX CONCURRENTLY`). */
  readonly transactional: boolean;
  /** The SQL of the `-- up` section. */
  readonly up: string;
  /** The SQL of the `-- down` section; `null` when the file has none (the revision cannot be downgraded). */
  readonly down: string | null;
  /** The file line where the `up` text starts (the line after `-- up`). */
  readonly upLine: number;
  /** The file line where the `down` text starts, or `null`. */
  readonly downLine: number | null;
  /** The file name given to the parser. */
  readonly file: string;
}

const SECTION = /^\s*--\s*(up|down)\s*$/i;
const HEADER = /^\s*--\s*([A-Za-z_-]+)\s*:\s*(.*?)\s*$/;
const REVISION_ID = /^[A-Za-z0-9_]+$/;
const HEADERS = ["revision", "down-revision", "message", "transactional"] as const;
type HeaderName = (typeof HEADERS)[number];

/**
 * Parses a plain `.sql` revision: `-- key: value` headers, then an `-- up` section and an
 * optional `-- down` section. Headers: `revision` (required), `down-revision` (required:
 * an id, a comma-separated list for a merge, or `none` for a base), `message`,
 * `transactional` (`true` or `false`, default `true`). Other `--` comments may appear
 * among the headers, but not in `word: value` form, so a misspelt header is an error
 * rather than silently ignored; SQL may not appear before `-- up`. A section starts at a
 * line reading exactly `-- up` / `-- down` (any case, any spacing). Lines end at LF, CRLF
 * or CR; a line before `-- up` that holds another line separator (U+2028, U+2029, U+0085,
 * VT, FF) or a control character is an error, never a header silently skipped. Pure: the caller reads
 * the file and computes its checksum. Throws {@link InvalidSqlRevisionError} naming the
 * file and line.
 *
 * @example
 * ```ts
 * const revision = parseSqlRevision(
 *   [
 *     "-- revision: b2c3d4e5f6a1",
 *     "-- down-revision: a1b2c3d4e5f6",
 *     "-- message: add agents",
 *     "-- up",
 *     "CREATE TABLE agents (id text PRIMARY KEY);",
 *     "-- down",
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
  const fail = (line: number, problem: string): never => {
    throw new InvalidSqlRevisionError(`${file}:${line}: ${problem}`, file, line);
  };

  const headers = new Map<HeaderName, { value: string; line: number }>();
  let section: "header" | "up" | "down" = "header";
  const sections = { up: [] as string[], down: [] as string[] };
  let upLine = 0;
  let downLine: number | null = null;

  lines.forEach((content, index) => {
    const line = index + 1;
    const marker = SECTION.exec(content)?.[1]?.toLowerCase();
    if (marker === "up") {
      if (section !== "header") fail(line, section === "up" ? "a second -- up section" : "-- up must come before -- down");
      section = "up";
      upLine = line + 1;
      return;
    }
    if (marker === "down") {
      if (section === "header") fail(line, "-- down before -- up: the up section comes first");
      if (section === "down") fail(line, "a second -- down section");
      section = "down";
      downLine = line + 1;
      return;
    }
    if (section !== "header") {
      sections[section].push(content);
      return;
    }
    // Lines end at CR and LF only (as PostgreSQL and SQLite end a -- comment); any other line
    // separator or control character here would hide a header from this parser, or show
    // another tool a line this parser never saw, so it is refused.
    const odd = lineBreakIn(content);
    if (odd !== undefined) fail(line, `${odd} in the header lines; headers and comments before -- up are single lines of text`);
    if (content.trim() === "") return;
    const header = HEADER.exec(content);
    if (header === null) {
      if (content.trimStart().startsWith("--")) return;
      fail(line, "SQL before the -- up section; start the SQL with a line reading -- up");
    }
    const name = (header?.[1] ?? "").toLowerCase();
    const value = header?.[2] ?? "";
    if (!(HEADERS as readonly string[]).includes(name)) {
      fail(line, `unknown header "${name}"; expected ${HEADERS.join(", ")}`);
    }
    if (headers.has(name as HeaderName)) fail(line, `the ${name} header appears twice`);
    if (value === "") fail(line, `the ${name} header is empty`);
    headers.set(name as HeaderName, { value, line });
  });

  if (section === "header") fail(lines.length, "no -- up section: add a line reading -- up before the SQL");
  const revision = headers.get("revision") ?? fail(1, "missing header -- revision: <id>");
  const downRevision = headers.get("down-revision") ?? fail(1, "missing header -- down-revision: <id>, <id>, … or none");
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
  });
}
