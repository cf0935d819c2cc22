import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Engine } from "../engine/engine.js";
import { AdoptRefusedError, AthanorError, ConfigurationError, MigrationFailedError } from "../errors.js";
import { adoptedRevisionId, adoptedRevisionText } from "./adopted-revision.js";
import { compareWithRevisions, type SchemaComparison } from "./compare-with-revisions.js";
import { readLegacyMigrations } from "./legacy-migrations.js";
import { loadRevisionScripts } from "./load-revision-scripts.js";
import { createMigrator } from "./migrator.js";
import { buildRevisionGraph } from "./revision-graph/build-revision-graph.js";
import { sqlRevisionScript } from "./sql-revision-script.js";
import { DEFAULT_VERSION_TABLE, VersionTable } from "./version-table.js";

/** Options of {@link adoptLegacyMigrations}. */
export interface AdoptOptions {
  /** The folder of numbered `NNN_name.sql` files applied by hand. It is only read. */
  readonly legacyDirectory: string;
  /** The migrations folder the revisions are written to (created if missing). */
  readonly directory: string;
  /** Also record the chain as applied on `engine`'s database, where the files were applied by hand. */
  readonly stamp?: boolean;
  /** The database to stamp (required with `stamp`). */
  readonly engine?: Engine;
  /**
   * Before stamping, run the chain on a scratch database and compare the schema it makes with
   * the live one; refuse to stamp on any difference. Default true. False stamps on your word.
   */
  readonly verify?: boolean;
  /** See {@link compareWithRevisions}. */
  readonly scratchUrl?: string;
  readonly versionTable?: string;
}

/** One legacy file and the revision it became. */
export interface AdoptedRevision {
  readonly file: string;
  readonly revision: string;
  readonly downRevision: string | null;
  /** The revision file, absolute. */
  readonly path: string;
  /** `written` now, or `unchanged`: an earlier adoption wrote the same file. */
  readonly status: "written" | "unchanged";
}

/** What stamping did. */
export interface AdoptStamp {
  /** `stamped`: the version table records the chain; `refused`: the live schema differs, or the database already has a version table with rows; `failed`: the check could not run. */
  readonly status: "stamped" | "refused" | "failed";
  /** The comparison, unless `verify: false`. */
  readonly comparison: SchemaComparison | undefined;
  /** Why it was refused or failed. */
  readonly reason: string | undefined;
}

/** The result set of {@link adoptLegacyMigrations}. */
export interface AdoptResult {
  /** True when every file was adopted and, with `stamp`, the database was stamped. */
  readonly ok: boolean;
  /** In chain order. */
  readonly revisions: readonly AdoptedRevision[];
  /** The last adopted revision: what `stamp` records and what later revisions follow. */
  readonly head: string;
  readonly stamp: AdoptStamp | undefined;
  readonly error: AthanorError | undefined;
}

/**
 * Turns a folder of numbered SQL files applied by hand into a linear chain of `.sql`
 * revisions in the migrations folder (`athanor adopt <folder>`): `007_x.sql` becomes revision
 * `legacy_007` following `legacy_006`, its text unchanged under an `-- athanor:` header. A
 * fresh database then gets them with `upgrade head`; a database where they were applied by
 * hand is recorded as having them with `stamp: true`, after the chain has been run on a
 * scratch database and the schema it makes compared with the live one. Adopting the same
 * folder again writes nothing; files added to the legacy folder since are appended. Refuses
 * (`AdoptRefusedError`, nothing written) a migrations folder holding revisions of its own, or
 * an adopted revision that no longer matches its legacy file.
 *
 * @example
 * ```ts
 * const result = await adoptLegacyMigrations({ legacyDirectory: "./backend/app/database/migrations", directory: "./migrations", engine, stamp: true });
 * if (!result.ok) console.error(result.stamp?.reason ?? result.error?.message, result.stamp?.comparison?.differences);
 * ```
 */
export async function adoptLegacyMigrations(options: AdoptOptions): Promise<AdoptResult> {
  if (options.stamp === true && options.engine === undefined) throw new ConfigurationError("adoptLegacyMigrations: stamp needs the engine of the database to stamp");
  const legacy = await readLegacyMigrations(options.legacyDirectory);
  const directory = resolve(options.directory);
  await mkdir(directory, { recursive: true });
  const existing = new Map((await loadRevisionScripts(directory)).map((script) => [script.revision, script]));

  const planned = legacy.map((file, i) => {
    const downRevision = i === 0 ? null : adoptedRevisionId(legacy[i - 1]!);
    return { file, revision: adoptedRevisionId(file), downRevision, text: adoptedRevisionText(file, downRevision) };
  });
  const adoptedIds = new Set(planned.map((entry) => entry.revision));
  const foreign = [...existing.keys()].filter((id) => !adoptedIds.has(id));
  const revisions: AdoptedRevision[] = [];
  const toWrite: Array<{ path: string; text: string }> = [];
  for (const entry of planned) {
    const script = existing.get(entry.revision);
    if (script !== undefined) {
      const path = join(directory, script.path);
      if ((await readFile(path, "utf8")) !== entry.text) {
        throw new AdoptRefusedError(path, `is not what ${entry.file} gives any more: the legacy file or the revision was edited after adoption. Restore one of them (an applied revision must not change; write a new revision for a change)`);
      }
      revisions.push({ file: entry.file.file, revision: entry.revision, downRevision: entry.downRevision, path, status: "unchanged" });
      continue;
    }
    if (foreign.length > 0) {
      throw new AdoptRefusedError(directory, `already holds revisions of its own (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}); the legacy files come before them, so adopt into an empty migrations folder`);
    }
    const path = join(directory, entry.file.file);
    // Parsed before anything is written: a legacy text the format cannot carry refuses the whole adoption.
    sqlRevisionScript(entry.file.file, entry.text);
    toWrite.push({ path, text: entry.text });
    revisions.push({ file: entry.file.file, revision: entry.revision, downRevision: entry.downRevision, path, status: "written" });
  }
  for (const { path, text } of toWrite) await writeFile(path, text, { flag: "wx" });
  const scripts = await loadRevisionScripts(directory);
  buildRevisionGraph(scripts);
  const head = planned.at(-1)!.revision;
  if (options.stamp !== true) return { ok: true, revisions, head, stamp: undefined, error: undefined };

  const stamp = await stampAdopted(options.engine!, scripts, head, options);
  return { ok: stamp.status === "stamped", revisions, head, stamp, error: undefined };
}

async function stampAdopted(engine: Engine, scripts: Awaited<ReturnType<typeof loadRevisionScripts>>, head: string, options: AdoptOptions): Promise<AdoptStamp> {
  const versionTable = options.versionTable ?? DEFAULT_VERSION_TABLE;
  const table = new VersionTable(versionTable);
  if ((await table.exists(engine.db)) && (await table.read(engine.db)).length > 0) {
    return { status: "refused", comparison: undefined, reason: `the database already records revisions in ${versionTable}: it is managed by athanor already (use upgrade, or stamp by hand)` };
  }
  let comparison: SchemaComparison | undefined;
  if (options.verify !== false) {
    try {
      comparison = await compareWithRevisions(engine, scripts, head, { versionTable, ...(options.scratchUrl === undefined ? {} : { scratchUrl: options.scratchUrl }) });
    } catch (error) {
      const reason = error instanceof MigrationFailedError ? error.message : `the schema could not be compared: ${(error as Error).message}`;
      return { status: "failed", comparison: undefined, reason };
    }
    if (comparison.differences.length > 0) {
      return { status: "refused", comparison, reason: `the live schema differs from what the adopted revisions make in ${comparison.differences.length} way(s); nothing was stamped` };
    }
  }
  await createMigrator(engine, { scripts, versionTable }).stamp(head);
  return { status: "stamped", comparison, reason: undefined };
}
