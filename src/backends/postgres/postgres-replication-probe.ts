import { CompiledQuery } from "kysely";
import type { ReplicationProbe } from "../replication-probe.js";

/**
 * PostgreSQL positions are WAL LSNs: `pg_current_wal_lsn()` on the primary,
 * `pg_last_wal_replay_lsn()` on a standby (NULL on a server not in recovery).
 */
export const postgresReplicationProbe: ReplicationProbe = Object.freeze({
  async currentPosition(connection) {
    const result = await connection.executeQuery<{ lsn: string }>(CURRENT);
    return parseLsn(result.rows[0]!.lsn);
  },
  async replayedPosition(connection) {
    const result = await connection.executeQuery<{ lsn: string | null }>(REPLAYED);
    const lsn = result.rows[0]?.lsn;
    return lsn === null || lsn === undefined ? undefined : parseLsn(lsn);
  },
} satisfies ReplicationProbe);

const CURRENT = CompiledQuery.raw("select pg_current_wal_lsn()::text as lsn");
// A primary (not in recovery) reports NULL, so a URL that names it by mistake never enters rotation.
const REPLAYED = CompiledQuery.raw("select case when pg_is_in_recovery() then pg_last_wal_replay_lsn()::text end as lsn");

/** `"16/B374D848"` → 0x16B374D848n. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (match === null) throw new Error(`not a PostgreSQL LSN: "${text}"`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}
