import { readdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { AdoptRefusedError } from "../errors.js";

/** One numbered file of a legacy migrations folder (`007_add_conversation_memory.sql`). */
export interface LegacyMigration {
  /** The file name. */
  readonly file: string;
  /** The number as written (`"007"`). */
  readonly number: string;
  /** The rest of the name (`"add_conversation_memory"`). */
  readonly name: string;
  /** The file's text, as it is. */
  readonly text: string;
}

const NUMBERED = /^(\d+)_(.+)\.sql$/;

/**
 * Reads a folder of numbered SQL files applied by hand (`for f in *.sql; do psql -f $f; done`)
 * in the order of their numbers. Other files (a README) are ignored, and so are names starting
 * with `.` or `_`; a `.sql` file without a number, two files with the same number or a folder
 * without any fail with {@link AdoptRefusedError}.
 *
 * @example
 * ```ts
 * const files = await readLegacyMigrations("./backend/app/database/migrations");
 * files.map((file) => file.number); // ["001", "002", …]
 * ```
 */
export async function readLegacyMigrations(directory: string): Promise<LegacyMigration[]> {
  const root = resolve(directory);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (cause) {
    throw new AdoptRefusedError(root, "the legacy migrations folder cannot be read", { cause });
  }
  const found: LegacyMigration[] = [];
  for (const file of names) {
    if (!file.endsWith(".sql") || file.startsWith(".") || file.startsWith("_")) continue;
    const match = NUMBERED.exec(file);
    if (match === null) throw new AdoptRefusedError(file, "is not named NNN_name.sql, so its place in the order is unknown; rename it (or prefix it with _ to leave it out)");
    found.push({ file, number: match[1]!, name: match[2]!, text: await readFile(resolve(root, file), "utf8") });
  }
  if (found.length === 0) throw new AdoptRefusedError(root, "holds no NNN_name.sql files");
  found.sort((a, b) => compareNumbers(a.number, b.number) || a.file.localeCompare(b.file));
  for (let i = 1; i < found.length; i++) {
    if (compareNumbers(found[i - 1]!.number, found[i]!.number) === 0) {
      throw new AdoptRefusedError(found[i]!.file, `has the same number as ${found[i - 1]!.file}, so which ran first is unknown; renumber one of them`);
    }
  }
  return found;
}

function compareNumbers(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}
