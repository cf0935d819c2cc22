import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigrationNeedsDirectUrlError } from "../src/index.js";
import { createMigrator } from "../src/migrate/index.js";
import { suiteDatabase } from "./support/each-dialect.js";
import { engineFactory, rejection } from "./support/engines.js";
import { loggingScripts } from "./support/migration-scripts.js";
import { PgBouncerProcess, pgbouncerUnavailable } from "./support/pgbouncer-process.js";

describe.skipIf(pgbouncerUnavailable)("migrations through PgBouncer in transaction mode", () => {
  const database = suiteDatabase("postgres");
  const engine = engineFactory();
  let bouncer: PgBouncerProcess;

  beforeAll(async () => {
    bouncer = await PgBouncerProcess.start({ poolSize: 4 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  const pooled = () => engine(bouncer.rewrite(database.url()), { pool: { size: 2 } });
  const logOf = async (prefix: string) =>
    (await sql<{ revision: string }>`select revision from ${sql.table(`${prefix}_log`)} order by revision`.execute(engine(database.url()).db)).rows.map((row) => row.revision);

  it("four migrators at once: one applies every revision once, under a transaction-level lock in one transaction", async () => {
    const scripts = loggingScripts("race", 4, { holdMillis: 300 });
    const waits: unknown[] = [];
    const results = await Promise.all(
      Array.from({ length: 4 }, () => createMigrator(pooled(), { scripts, versionTable: "race_revisions", onLockWait: (holder) => waits.push(holder) }).upgrade()),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(results.map((result) => result.steps.filter((step) => step.status === "applied").length).sort()).toEqual([0, 0, 0, 4]);
    expect(waits.length).toBeGreaterThan(0);
    expect(await logOf("race")).toEqual(["m1", "m2", "m3", "m4"]);
    // Nothing is left behind on the server connections: a session-level lock would be.
    const held = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(engine(database.url()).db);
    expect(held.rows[0]!.n).toBe(0);
  });

  it("without the lock the same race through the pooler is not clean (the guard matters)", async () => {
    const scripts = loggingScripts("nolock", 4);
    const results = await Promise.all(Array.from({ length: 4 }, () => createMigrator(pooled(), { scripts, versionTable: "nolock_revisions", lock: false }).upgrade().catch((error: Error) => error)));
    const clean = results.every((result) => !(result instanceof Error) && result.ok) && (await logOf("nolock").catch(() => [])).length === 4;
    expect(clean).toBe(false);
  });

  it("a failing revision rolls back to its savepoint; the ones before it are committed; downgrade works too", async () => {
    const migrator = createMigrator(pooled(), { scripts: loggingScripts("fail", 3, { fail: "m3" }), versionTable: "fail_revisions" });
    const result = await migrator.upgrade();
    expect(result.ok).toBe(false);
    expect(result.steps.map((step) => step.status)).toEqual(["applied", "applied", "failed"]);
    expect(result.error?.message).toMatch(/m3 fails on purpose/);
    expect(await logOf("fail")).toEqual(["m1", "m2"]);
    expect((await migrator.status()).heads).toEqual(["m2"]);
    const down = await migrator.downgrade("m1");
    expect(down.ok).toBe(true);
    expect(await logOf("fail")).toEqual(["m1"]);
    await migrator.stamp("base");
    expect((await migrator.status()).heads).toEqual([]);
  });

  it("a revision that runs outside a transaction is refused before anything runs, saying to use directUrl", async () => {
    const migrator = createMigrator(pooled(), { scripts: loggingScripts("outside", 2, { outside: "m2" }), versionTable: "outside_revisions" });
    const error = await rejection(migrator.upgrade());
    expect(error).toBeInstanceOf(MigrationNeedsDirectUrlError);
    expect(error.message).toMatch(/revision m2 \(m2\.ts\) runs outside a transaction.*directUrl/);
    expect((await migrator.status()).heads).toEqual([]);
    // Over a direct URL (what the CLI's directUrl gives) the same revisions run.
    const direct = createMigrator(engine(database.url()), { scripts: loggingScripts("outside", 2, { outside: "m2" }), versionTable: "outside_revisions" });
    expect((await direct.upgrade()).ok).toBe(true);
    expect(await logOf("outside")).toEqual(["m1", "m2"]);
  });
});
