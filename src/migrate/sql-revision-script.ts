import { revisionChecksum } from "./checksum.js";
import { parseSqlRevision } from "./parse-sql-revision.js";
import type { MigrationOperations } from "./migration-operations.js";
import type { RevisionScript } from "./revision-script.js";

/**
 * A plain `.sql` revision as a runnable script: header comments give the revision,
 * down-revision and message; the `-- up` and `-- down` sections run statement by statement.
 *
 * @example
 * ```sql
 * -- revision: 3f2a9c1d7b4e
 * -- down-revision: none
 * -- message: create users
 *
 * -- up
 * create table users (id text primary key, email text not null unique);
 *
 * -- down
 * drop table users;
 * ```
 */
export function sqlRevisionScript(path: string, text: string): RevisionScript {
  const parsed = parseSqlRevision(text, path);
  const down = parsed.down;
  return Object.freeze({
    revision: parsed.revision,
    downRevision: parsed.downRevision,
    message: parsed.message,
    path,
    checksum: revisionChecksum(text),
    transactional: parsed.transactional,
    up: (op: MigrationOperations) => op.executeScript(parsed.up),
    down: down === null ? undefined : (op: MigrationOperations) => op.executeScript(down),
  });
}
