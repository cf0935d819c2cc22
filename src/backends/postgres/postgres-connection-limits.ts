import type { ConnectionLimits } from "../backend.js";
import type { PostgresConnection } from "./postgres-connection.js";

/**
 * `max_connections` and the connections ordinary roles cannot use: `superuser_reserved_connections`
 * plus, from PostgreSQL 16, `reserved_connections` (absent before: `current_setting(…, true)` is null).
 */
export async function postgresConnectionLimits(connection: PostgresConnection): Promise<ConnectionLimits> {
  const result = await connection.client.query<{ max: string; superuser: string; reserved: string | null }>(
    "select current_setting('max_connections') as max, current_setting('superuser_reserved_connections') as superuser, current_setting('reserved_connections', true) as reserved",
  );
  const row = result.rows[0]!;
  return { maxConnections: Number(row.max), reserved: Number(row.superuser) + Number(row.reserved ?? 0) };
}
