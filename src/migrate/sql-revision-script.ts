import { revisionChecksum } from "./checksum.js";
import { parseSqlRevision } from "./parse-sql-revision.js";
import type { MigrationOperations } from "./migration-operations.js";
import type { RevisionScript } from "./revision-script.js";
import { sqlSection } from "./sql-section.js";

/**
 * A plain `.sql` revision as a runnable script: `-- athanor:` directives give the revision,
 * down-revision and message; the up and down sections run statement by statement, each on the
 * dialect at hand (`-- athanor:dialect` blocks). A section that begins and commits
 * transactions of its own (beyond one `BEGIN; … COMMIT;` around everything) makes the
 * revision non-transactional: it runs as written.
 *
 * @example
 * ```sql
 * -- athanor:revision 3f2a9c1d7b4e
 * -- athanor:down-revision none
 * -- athanor:message create users
 *
 * -- athanor:up
 * create table users (id text primary key, email text not null unique);
 *
 * -- athanor:down
 * drop table users;
 * ```
 */
export function sqlRevisionScript(path: string, text: string): RevisionScript {
  const parsed = parseSqlRevision(text, path);
  const up = sqlSection(parsed.up);
  const down = parsed.down === null ? undefined : sqlSection(parsed.down);
  return Object.freeze({
    revision: parsed.revision,
    downRevision: parsed.downRevision,
    message: parsed.message,
    path,
    checksum: revisionChecksum(text),
    transactional: parsed.transactional && !up.ownsTransactions && !(down?.ownsTransactions ?? false),
    up: (op: MigrationOperations) => up.run(op),
    down: down === undefined ? undefined : (op: MigrationOperations) => down.run(op),
  });
}
