import type { Backend } from "../../backends/backend.js";
import type { DatabaseUrl } from "../database-url.js";

/** One replica: its backend (and so its pool), and what its last check found. */
export class ReplicaServer {
  readonly name: string;
  readonly url: DatabaseUrl;
  readonly backend: Backend;
  inRotation = false;
  /** The replayed position at the last check (or at a read-your-writes probe). */
  replayed: bigint | undefined;
  lagMillis: number | null = null;
  /** Why it is out of rotation; `null` in rotation. */
  reason: string | null = "not checked yet";
  reads = 0;

  constructor(url: DatabaseUrl, backend: Backend) {
    this.url = url;
    this.backend = backend;
    this.name = serverName(url);
  }

  /** Checked-out plus waiting: how busy its pool is, for least-busy routing. */
  get load(): number {
    const status = this.backend.pool.status();
    return status.checkedOut + status.waiting;
  }
}

/** `host:port/database` (a file database: its path): a server's name in status, health and events, never its credentials. */
export function serverName(url: DatabaseUrl): string {
  return url.host === undefined ? url.database : `${url.host}:${url.port ?? 5432}/${url.database}`;
}
