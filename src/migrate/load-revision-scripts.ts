import { readdir, readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { ConfigurationError, InvalidRevisionScriptError } from "../errors.js";
import { importModule } from "./import-module.js";
import { revisionChecksum } from "./checksum.js";
import type { Migration } from "./migration.js";
import type { MigrationOperations } from "./migration-operations.js";
import type { RevisionScript } from "./revision-script.js";

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);

/**
 * Loads every revision in a migrations folder: TypeScript/JavaScript modules whose default
 * export is a {@link defineMigration} (TypeScript through tsx, see {@link importModule}) and
 * plain `.sql` files. Files starting with `_` or `.` are ignored.
 *
 * @example
 * ```ts
 * const scripts = await loadRevisionScripts("./migrations");
 * ```
 */
export async function loadRevisionScripts(directory: string): Promise<RevisionScript[]> {
  const root = resolve(directory);
  let names: string[];
  try {
    names = (await readdir(root)).sort();
  } catch (cause) {
    throw new InvalidRevisionScriptError(root, "the migrations folder cannot be read (run `athanor init`?)", { cause });
  }
  const scripts: RevisionScript[] = [];
  for (const name of names) {
    if (name.startsWith("_") || name.startsWith(".") || name.endsWith(".d.ts")) continue;
    const extension = extname(name);
    if (extension === ".sql") scripts.push(await loadSqlScript(root, name));
    else if (MODULE_EXTENSIONS.has(extension)) scripts.push(await loadModuleScript(root, name));
  }
  return scripts;
}

async function loadModuleScript(root: string, name: string): Promise<RevisionScript> {
  const path = join(root, name);
  const text = await readFile(path, "utf8");
  let module: Record<string, unknown>;
  try {
    module = await importModule(path);
  } catch (cause) {
    if (cause instanceof ConfigurationError) throw cause;
    throw new InvalidRevisionScriptError(name, `cannot be imported: ${(cause as Error).message}`, { cause });
  }
  const migration = module.default as Partial<Migration> | undefined;
  if (migration === undefined || migration === null || typeof migration !== "object") {
    throw new InvalidRevisionScriptError(name, "has no default export; export default defineMigration({ … })");
  }
  validateFields(name, migration);
  const { up, down } = migration as Migration;
  return Object.freeze({
    revision: migration.revision!,
    downRevision: migration.downRevision ?? null,
    message: migration.message,
    path: name,
    checksum: revisionChecksum(text),
    transactional: migration.transactional ?? true,
    up: async (op: MigrationOperations) => up.call(migration, op),
    down: down === undefined ? undefined : async (op: MigrationOperations) => down.call(migration, op),
  });
}

async function loadSqlScript(root: string, name: string): Promise<RevisionScript> {
  const { sqlRevisionScript } = await import("./sql-revision-script.js");
  return sqlRevisionScript(name, await readFile(join(root, name), "utf8"));
}

function validateFields(name: string, migration: Partial<Migration>): void {
  if (typeof migration.revision !== "string" || !/^[A-Za-z0-9_]+$/.test(migration.revision)) {
    throw new InvalidRevisionScriptError(name, "`revision` must be a string of letters, digits and underscores");
  }
  const down = migration.downRevision;
  const validDown = down === null || down === undefined || typeof down === "string" || (Array.isArray(down) && down.every((d) => typeof d === "string"));
  if (!validDown) throw new InvalidRevisionScriptError(name, "`downRevision` must be a revision id, a list of them (a merge), or null");
  if (typeof migration.up !== "function") throw new InvalidRevisionScriptError(name, "`up(op)` must be a function");
  if (migration.down !== undefined && typeof migration.down !== "function") throw new InvalidRevisionScriptError(name, "`down(op)` must be a function");
  if (migration.transactional !== undefined && typeof migration.transactional !== "boolean") {
    throw new InvalidRevisionScriptError(name, "`transactional` must be true or false");
  }
}
