import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { MultipleHeadsError } from "../errors.js";
import { loadRevisionScripts } from "./load-revision-scripts.js";
import { buildRevisionGraph } from "./revision-graph/build-revision-graph.js";
import { singleLine } from "./single-line.js";

/** Options of {@link createRevision}. */
export interface CreateRevisionOptions {
  /** The migrations folder. */
  readonly directory: string;
  /** One line saying what the revision does. */
  readonly message: string;
  /** The revisions it follows. Default: the single head (a merge when `merge: true`). */
  readonly downRevision?: string | readonly string[] | null;
  /** Follow every current head: a merge revision. */
  readonly merge?: boolean;
  /** `ts` (default) writes `.ts`, `js` the same module as `.mjs`, `sql` a plain `.sql` revision. */
  readonly format?: RevisionFormat;
  /** Bodies of `up`/`down` (autogenerate fills them); empty by default. */
  readonly up?: string;
  readonly down?: string;
  /** Module specifier the TS file imports `defineMigration` from. Default `athanor/migrate`. */
  readonly importFrom?: string;
  /** Fixed id (tests); default 12 random hex digits. */
  readonly revision?: string;
  readonly now?: Date;
}

/** The file a new revision is written as. */
export type RevisionFormat = "ts" | "js" | "sql";

const EXTENSION: Readonly<Record<RevisionFormat, string>> = { ts: "ts", js: "mjs", sql: "sql" };

/** What {@link createRevision} wrote. */
export interface CreatedRevision {
  readonly revision: string;
  readonly downRevision: string | readonly string[] | null;
  readonly path: string;
}

/**
 * Writes a new revision file following the current head (`athanor revision -m`), or all
 * heads (`athanor merge -m`). Fails with `MultipleHeadsError` when the folder has several
 * heads and neither `downRevision` nor `merge` says which to follow.
 *
 * @example
 * ```ts
 * const { path } = await createRevision({ directory: "./migrations", message: "add agents" });
 * ```
 */
export async function createRevision(options: CreateRevisionOptions): Promise<CreatedRevision> {
  const directory = resolve(options.directory);
  await mkdir(directory, { recursive: true });
  const graph = buildRevisionGraph(await loadRevisionScripts(directory));
  let downRevision = options.downRevision;
  if (downRevision === undefined) {
    if (options.merge) downRevision = graph.heads.length === 1 ? graph.heads[0]! : [...graph.heads];
    else if (graph.heads.length > 1) {
      throw new MultipleHeadsError(`the migrations have several heads (${graph.heads.join(", ")}): merge them first (athanor merge -m …) or name the revision to follow`, graph.heads);
    }
    else downRevision = graph.heads[0] ?? null;
  }
  const revision = options.revision ?? randomBytes(6).toString("hex");
  const now = options.now ?? new Date();
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 13);
  const slug = options.message.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "").slice(0, 40) || "revision";
  const format = options.format ?? "ts";
  const name = `${stamp}_${revision}_${slug}.${EXTENSION[format]}`;
  const text = format === "sql" ? sqlRevision(revision, downRevision, options) : moduleRevision(revision, downRevision, options);
  await writeFile(join(directory, name), text, { flag: "wx" });
  return { revision, downRevision, path: join(directory, name) };
}

/** The same text serves TypeScript and JavaScript: `op` is typed through `defineMigration`. */
function moduleRevision(revision: string, downRevision: string | readonly string[] | null, options: CreateRevisionOptions): string {
  const indent = (body: string | undefined) => (body ?? "").split("\n").map((line) => (line ? `    ${line}` : line)).join("\n");
  return `import { defineMigration } from "${options.importFrom ?? "athanor/migrate"}";

export default defineMigration({
  revision: ${JSON.stringify(revision)},
  downRevision: ${JSON.stringify(downRevision)},
  message: ${JSON.stringify(options.message)},
  async up(op) {
${indent(options.up)}
  },
  async down(op) {
${indent(options.down)}
  },
});
`;
}

function sqlRevision(revision: string, downRevision: string | readonly string[] | null, options: CreateRevisionOptions): string {
  const down = downRevision === null ? "none" : typeof downRevision === "string" ? downRevision : downRevision.join(", ");
  // One header line whatever the message holds; a message of only blanks has no header (an empty one is invalid).
  const message = singleLine(options.message).trim();
  return `-- athanor:revision ${revision}
-- athanor:down-revision ${down}
${message === "" ? "" : `-- athanor:message ${message}\n`}
-- athanor:up
${options.up ?? ""}

-- athanor:down
${options.down ?? ""}
`;
}
