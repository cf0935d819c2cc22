import type { DialectName } from "../engine/database-url.js";

const DIALECT_LINE = /^\s*--\s*athanor\s*:\s*dialect\s+(\S+)\s*$/i;

/**
 * The lines of a `.sql` revision section that run on `dialect`: lines after
 * `-- athanor:dialect postgres` run only on PostgreSQL, after `-- athanor:dialect sqlite` only
 * on SQLite, after `-- athanor:dialect all` (and before any dialect line) everywhere. Lines of
 * the other dialect become empty lines, so every statement keeps its line number. A section
 * without dialect lines comes back as it is. Pure.
 *
 * @example
 * ```ts
 * const section = "create table m (id int);\n-- athanor:dialect postgres\ncreate index concurrently ix on m (id);\n-- athanor:dialect all";
 * dialectSql(section, "sqlite"); // "create table m (id int);\n-- athanor:dialect postgres\n\n-- athanor:dialect all"
 * ```
 */
export function dialectSql(section: string, dialect: DialectName): string {
  if (!/--\s*athanor\s*:\s*dialect/i.test(section)) return section;
  let current = "all";
  return section
    .split("\n")
    .map((line) => {
      const switched = DIALECT_LINE.exec(line)?.[1];
      if (switched !== undefined) {
        current = switched.toLowerCase();
        return line;
      }
      return current === "all" || current === dialect ? line : "";
    })
    .join("\n");
}
