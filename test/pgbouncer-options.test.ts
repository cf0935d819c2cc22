import { describe, expect, it } from "vitest";
import { createEngine, parseDatabaseUrl, PoolerIncompatibleError, ConfigurationError } from "../src/index.js";
import { resolveEngineOptions } from "../src/engine/engine-options.js";

const BOUNCER = "postgres://app:s3cret@127.0.0.1:6432/app";

describe("postgres.pooler: transaction (no connection made)", () => {
  it("is read from the URL, which wins over the option, and is rendered back", () => {
    const url = parseDatabaseUrl(`${BOUNCER}?pooler=transaction`);
    expect(url.pooler).toBe("transaction");
    expect(url.toString()).toBe("postgres://app:***@127.0.0.1:6432/app?pooler=transaction");
    expect(resolveEngineOptions({ postgres: { pooler: "none" } }, "postgres", url.pooler).postgres.pooler).toBe("transaction");
    expect(resolveEngineOptions({ postgres: { pooler: "transaction" } }, "postgres", undefined).postgres.pooler).toBe("transaction");
    expect(resolveEngineOptions({}, "postgres", undefined).postgres.pooler).toBe("none");
  });

  it("refuses an unknown pooler value, and points Prisma's pgbouncer=true to it", () => {
    expect(() => parseDatabaseUrl(`${BOUNCER}?pooler=session`)).toThrow(/invalid pooler "session": expected one of none, transaction/);
    expect(() => parseDatabaseUrl(`${BOUNCER}?pgbouncer=true`)).toThrow(/pooler=transaction/);
    expect(() => createEngine(BOUNCER, { postgres: { pooler: "statement" as never } })).toThrow(ConfigurationError);
  });

  it("sends statements unnamed by default, and refuses prepareStatements: true", () => {
    expect(resolveEngineOptions({}, "postgres", "transaction").prepareStatements).toBe(false);
    expect(resolveEngineOptions({}, "postgres", undefined).prepareStatements).toBe(true);
    const error = catchError(() => createEngine(`${BOUNCER}?pooler=transaction`, { prepareStatements: true }));
    expect(error).toBeInstanceOf(PoolerIncompatibleError);
    expect(error.message).toMatch(/prepareStatements: true cannot be used with pooler "transaction"/);
    expect(error.message).not.toContain("s3cret");
  });

  it.each([
    ["statementTimeoutMillis", "statement_timeout"],
    ["lockTimeoutMillis", "lock_timeout"],
    ["idleInTransactionTimeoutMillis", "idle_in_transaction_session_timeout"],
  ] as const)("refuses postgres.%s (a startup setting), naming ALTER ROLE … SET %s", (option, setting) => {
    const error = catchError(() => createEngine(BOUNCER, { postgres: { pooler: "transaction", [option]: 5_000 } }));
    expect(error).toBeInstanceOf(PoolerIncompatibleError);
    expect(error.message).toContain(`postgres.${option}`);
    expect(error.message).toContain(`ALTER ROLE app SET ${setting} = '5000ms'`);
    // 0 means "server default": nothing is sent, nothing to refuse.
    expect(() => createEngine(BOUNCER, { postgres: { pooler: "transaction", [option]: 0 } }).dispose()).not.toThrow();
  });

  it("refuses postgres.onConnect and the URL's options parameter", () => {
    expect(catchError(() => createEngine(BOUNCER, { postgres: { pooler: "transaction", onConnect: () => undefined } })).message).toMatch(/postgres\.onConnect cannot be used/);
    const error = catchError(() => createEngine(`${BOUNCER}?pooler=transaction&options=-c%20search_path%3Dapp`));
    expect(error).toBeInstanceOf(PoolerIncompatibleError);
    expect(error.message).toMatch(/options parameter cannot be used/);
  });

  it("is a PostgreSQL setting: SQLite engines ignore it", () => {
    expect(resolveEngineOptions({ postgres: { pooler: "transaction" }, prepareStatements: true }, "sqlite").postgres.pooler).toBe("none");
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
