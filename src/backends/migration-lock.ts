/**
 * A lock that keeps two migrators (in this process or any other) from working on the same
 * database at once. Released by `release()`, and by the operating system or the server
 * when the process holding it dies, so a killed migrator never leaves a stale lock.
 */
export interface MigrationLock {
  /** Waits up to `timeoutMillis` for the lock; `MigrationLockTimeoutError` after that. */
  acquire(timeoutMillis: number): Promise<void>;
  /** Releases the lock. Idempotent. */
  release(): Promise<void>;
}
