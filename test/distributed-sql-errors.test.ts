/**
 * CockroachDB and YugabyteDB speak PostgreSQL's wire protocol, but nothing here can run them:
 * their errors are reproduced by shape (the fields pg hands over: SQLSTATE `code`, `message`)
 * and mapped as the PostgreSQL backend maps them; a session's retry then runs on a real engine.
 */
import { describe, expect, it } from "vitest";
import { mapPostgresError } from "../src/backends/postgres/postgres-error-mapper.js";
import {
  AthanorError,
  CommitOutcomeUnknownError,
  createEngine,
  createSessionFactory,
  DeadlockError,
  PoolerIncompatibleError,
  SerializationFailureError,
} from "../src/index.js";
import { shouldRetry } from "../src/session/retry-policy.js";

const RETRY = { maxAttempts: 3, baseDelayMillis: 0, maxDelayMillis: 0 };

/** What pg's DatabaseError carries for a server's ErrorResponse. */
function serverError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, severity: "ERROR", ...extra });
}

describe("distributed SQL error shapes → the catalogue", () => {
  it.each([
    ["CockroachDB, a read refreshed past its uncertainty interval", "restart transaction: TransactionRetryWithProtoRefreshError: ReadWithinUncertaintyIntervalError: read at time 1700000000.000000000,0 encountered previous write"],
    ["CockroachDB, a write-too-old conflict", "restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError: write for key /Table/104/1/1/0 at timestamp 1700000000.1 too old"],
    ["CockroachDB, a transaction aborted by a higher-priority one", "restart transaction: TransactionRetryWithProtoRefreshError: TransactionAbortedError(ABORT_REASON_ABORTED_RECORD_FOUND)"],
    ["YugabyteDB, a read restart", "Restart read required at: { read: { physical: 1700000000 } local_limit: { physical: 1700000001 } }"],
    ["YugabyteDB, a conflicting transaction", "could not serialize access due to concurrent update"],
    ["YugabyteDB, an aborted transaction", "Transaction aborted: kAborted"],
  ])("40001 from %s is a retryable SerializationFailureError", (_, message) => {
    const error = mapPostgresError(serverError("40001", message, { hint: "See: https://www.cockroachlabs.com/docs/transaction-retry-error-reference.html" }));
    expect(error).toBeInstanceOf(SerializationFailureError);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(message);
    expect(shouldRetry(error, 1, RETRY)).toBe(true);
    expect(shouldRetry(error, 3, RETRY)).toBe(false);
  });

  it("40P01 (YugabyteDB's and PostgreSQL's deadlock) is a retryable DeadlockError", () => {
    const error = mapPostgresError(serverError("40P01", "deadlock detected"));
    expect(error).toBeInstanceOf(DeadlockError);
    expect(shouldRetry(error, 1, RETRY)).toBe(true);
  });

  it("40003 (CockroachDB's statement_completion_unknown, an ambiguous commit) is a CommitOutcomeUnknownError, never retried", () => {
    const cause = serverError("40003", "result is ambiguous: error=rpc error: code = Unavailable desc = transport is closing [exhausted]");
    const error = mapPostgresError(cause);
    expect(error).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(error.code).toBe("COMMIT_OUTCOME_UNKNOWN");
    expect(error.message).toMatch(/could not tell whether .* took effect \(40003\): result is ambiguous/);
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(false);
    expect(shouldRetry(error, 1, RETRY)).toBe(false);
  });

  it.each([
    ["26000", 'prepared statement "athanor_7" does not exist'],
    ["42P05", 'prepared statement "athanor_7" already exists'],
  ])("%s %s (a transaction pooler moved the statement) is PoolerIncompatibleError, naming the setting", (code, message) => {
    const error = mapPostgresError(serverError(code, message));
    expect(error).toBeInstanceOf(PoolerIncompatibleError);
    expect(error.message).toContain(message);
    expect(error.message).toContain('pooler: "transaction"');
    expect(error.retryable).toBe(false);
  });

  it("a session retries a unit of work that failed with CockroachDB's 40001, and not one that failed with 40003", async () => {
    const engine = createEngine("sqlite::memory:");
    try {
      const sessions = createSessionFactory(engine);
      let attempts = 0;
      const result = await sessions.run(
        async () => {
          attempts++;
          if (attempts < 3) throw mapPostgresError(serverError("40001", "restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError"));
          return attempts;
        },
        { retry: RETRY },
      );
      expect(result).toBe(3);
      let ambiguous = 0;
      const failed = await sessions
        .run(
          async () => {
            ambiguous++;
            throw mapPostgresError(serverError("40003", "result is ambiguous"));
          },
          { retry: RETRY },
        )
        .catch((error: AthanorError) => error);
      expect(failed).toBeInstanceOf(CommitOutcomeUnknownError);
      expect(ambiguous).toBe(1);
    } finally {
      await engine.dispose();
    }
  });
});
