import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { MigrationLockTimeoutError } from "../src/index.js";
import { createMigrator } from "../src/migrate/index.js";
import type { RevisionScript } from "../src/migrate/revision-script.js";
import { deferred, rejection } from "./support/engines.js";
import { loggingScripts } from "./support/migration-scripts.js";
import { postgresUnavailable } from "./support/postgres-admin.js";
import { postgresSuite } from "./support/postgres-suite.js";

describe.skipIf(postgresUnavailable)('postgres.migrationLock: "table" (a row lock, no advisory locks: CockroachDB, YugabyteDB)', () => {
  const postgres = postgresSuite();
  const tableLocked = () => postgres.engine(postgres.url(), { postgres: { migrationLock: "table" }, pool: { size: 2 } });
  const logOf = async (prefix: string) =>
    (await sql<{ revision: string }>`select revision from ${sql.table(`${prefix}_log`)} order by revision`.execute(postgres.engine(postgres.url()).db)).rows.map((row) => row.revision);

  it("four migrators at once: exactly one applies each revision, once", async () => {
    const scripts = loggingScripts("race", 4, { holdMillis: 300 });
    const waits: unknown[] = [];
    const results = await Promise.all(Array.from({ length: 4 }, () => createMigrator(tableLocked(), { scripts, versionTable: "race_revisions", onLockWait: (holder) => waits.push(holder) }).upgrade()));
    expect(waits.length).toBeGreaterThan(0);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(results.map((result) => result.steps.filter((step) => step.status === "applied").length).sort()).toEqual([0, 0, 0, 4]);
    expect(await logOf("race")).toEqual(["m1", "m2", "m3", "m4"]);
  });

  it("without the lock the same race applies revisions twice or fails (the guard matters)", async () => {
    const scripts = loggingScripts("nolock", 4);
    const results = await Promise.all(Array.from({ length: 4 }, () => createMigrator(tableLocked(), { scripts, versionTable: "nolock_revisions", lock: false }).upgrade().catch((error: Error) => error)));
    const clean = results.every((result) => !(result instanceof Error) && result.ok) && (await logOf("nolock").catch(() => [])).length === 4;
    expect(clean).toBe(false);
  });

  it("holds a row of athanor_migration_lock, not an advisory lock; a second migrator times out naming it", async () => {
    const entered = deferred();
    const finish = deferred();
    const [first, ...rest] = loggingScripts("held", 2);
    const slow: RevisionScript = {
      ...first!,
      async up(op) {
        await first!.up(op);
        entered.resolve();
        await finish.promise;
      },
    };
    const running = createMigrator(tableLocked(), { scripts: [slow, ...rest], versionTable: "held_revisions" }).upgrade();
    await entered.promise;
    const observer = postgres.engine(postgres.url()).db;
    const advisory = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(observer);
    expect(advisory.rows[0]!.n).toBe(0);
    const row = await sql<{ name: string }>`select name from athanor_migration_lock`.execute(observer);
    expect(row.rows.map((r) => r.name)).toContain("athanor:held_revisions");
    const waits: unknown[] = [];
    const error = await rejection(createMigrator(tableLocked(), { scripts: [slow, ...rest], versionTable: "held_revisions", lockTimeoutMillis: 150, onLockWait: (holder) => waits.push(holder) }).upgrade());
    expect(error).toBeInstanceOf(MigrationLockTimeoutError);
    expect(error.message).toMatch(/athanor:held_revisions.*athanor_migration_lock.*150 ms/);
    expect(waits).toHaveLength(1);
    finish.resolve();
    expect((await running).ok).toBe(true);
    expect(await logOf("held")).toEqual(["m1", "m2"]);
  });
});
