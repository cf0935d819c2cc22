import { rm } from "node:fs/promises";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createEngine, MigrationLockLostError, type Engine } from "../src/index.js";
import { createMigrator, type RevisionScript } from "../src/migrate/index.js";
import type { MigrationOperations } from "../src/migrate/migration-operations.js";
import { describeEachDialect } from "./support/each-dialect.js";
import { deferred } from "./support/engines.js";
import { FaultProxy } from "./support/fault-proxy.js";
import { databaseOf, PostgresAdmin, withApplicationName } from "./support/postgres-admin.js";
import { sleep, waitUntil } from "./support/wait-until.js";

const LOCK_APPLICATION = "athanor-migrate";

function script(revision: string, downRevision: string | null, up: (op: MigrationOperations) => Promise<void>): RevisionScript {
  return { revision, downRevision, message: revision, path: `${revision}.ts`, checksum: `checksum-${revision}`, transactional: true, up, down: undefined };
}

/** r1 creates `lost_t` and logs itself in `lost_log` (created beforehand): applied twice, the log shows it. */
async function createAndLog(op: MigrationOperations): Promise<void> {
  await op.db.schema.createTable("lost_t").addColumn("id", "integer").execute();
  await op.db.insertInto("lost_log").values({ revision: "r1" }).execute();
}

const r2 = script("r2", "r1", async (op) => {
  await op.db.insertInto("lost_log").values({ revision: "r2" }).execute();
});

describeEachDialect(
  "a migrator that loses its migration lock mid-revision",
  (ctx) => {
    const engines: Engine[] = [];
    let proxy: FaultProxy | undefined;
    let admin: PostgresAdmin | undefined;
    beforeAll(async () => {
      if (!ctx.isPostgres) return;
      admin = await PostgresAdmin.open();
      const target = new URL(ctx.url());
      proxy = await FaultProxy.start(target.hostname, Number(target.port || 5432));
    });
    afterAll(async () => {
      await proxy?.close();
      await admin?.close();
    });
    afterEach(async () => {
      await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
    });

    async function engineOn(url: string, applicationName: string): Promise<Engine> {
      const engine = createEngine(ctx.isPostgres ? withApplicationName(url, applicationName) : url, { pool: { prePingTimeoutMillis: 300 } });
      engines.push(engine);
      return engine;
    }

    /** A fresh database with `lost_log`; on PostgreSQL the first migrator's connections (its lock's too) go through the fault proxy. */
    async function databases(): Promise<{ first: Engine; second: Engine; url: string }> {
      const url = await ctx.freshUrl();
      const second = await engineOn(url, "athanor-lock-second");
      await second.db.schema.createTable("lost_log").addColumn("revision", "text").execute();
      const first = await engineOn(ctx.isPostgres ? proxy!.rewrite(url) : url, "athanor-lock-first");
      return { first, second, url };
    }

    /** What takes a lock away from its holder on this dialect. */
    async function loseLock(holder: Engine, url: string): Promise<void> {
      if (ctx.isPostgres) {
        // The lock connection stops answering (its peer vanished), and the server, having lost
        // it too, ends its session and so releases the advisory lock.
        const [connection, ...others] = proxy!.matching(LOCK_APPLICATION);
        expect(others).toEqual([]);
        connection!.blackhole();
        const pids = await admin!.pids(databaseOf(url), LOCK_APPLICATION);
        expect(pids).toHaveLength(1);
        await admin!.terminate(databaseOf(url), LOCK_APPLICATION, pids);
        await admin!.waitGone(pids);
      } else {
        // SQLite's lock cannot die while its process lives; a clean-up script can delete its file.
        await rm(`${holder.url.database}.migrate-lock`);
      }
    }

    async function log(engine: Engine): Promise<string[]> {
      return (await engine.db.selectFrom("lost_log").select("revision").orderBy("revision").execute()).map((row) => row.revision as string);
    }

    it("rolls the revision back with MigrationLockLostError and runs nothing more; the next migrator applies it once", async () => {
      const { first, second, url } = await databases();
      const inside = deferred();
      const gate = deferred();
      const gated = script("r1", null, async (op) => {
        await createAndLog(op);
        inside.resolve();
        await gate.promise;
      });
      const running = createMigrator(first, { scripts: [gated, r2] }).upgrade("head");
      await inside.promise;
      await loseLock(first, url);

      const upgradeNext = () => createMigrator(second, { scripts: [script("r1", null, createAndLog), r2], lockTimeoutMillis: 10_000 }).upgrade("head");
      let next: ReturnType<typeof upgradeNext> | undefined;
      if (ctx.isPostgres) {
        // The next migrator takes the lock at once, and its r1 waits for the first one's (same table).
        // (Two SQLite engines of one process cannot write at once: the second would block the thread
        // in SQLite's busy handler. It runs after the first, as another process would.)
        next = upgradeNext();
        await waitUntil("the second migrator's r1 to wait for the first one's", async () => {
          const rows = await admin!.query("select 1 from pg_stat_activity where datname = $1 and application_name = $2 and wait_event_type = 'Lock'", [databaseOf(url), "athanor-lock-second"]);
          return rows.length > 0;
        });
      }
      gate.resolve();

      const result = await running;
      expect(result.ok).toBe(false);
      expect(result.error).toBeInstanceOf(MigrationLockLostError);
      expect(result.steps.map((step) => step.status)).toEqual(["failed", "not-run"]);

      const after = await (next ?? upgradeNext());
      expect(after.error).toBeUndefined();
      expect(after.ok).toBe(true);
      expect(await log(second)).toEqual(["r1", "r2"]);
      expect((await createMigrator(second, { scripts: [gated, r2] }).status()).heads).toEqual(["r2"]);
    });

    it.skipIf(!ctx.isPostgres)("a new holder waits for a revision already past its check to commit before it reads what is applied", async () => {
      const { first, second, url } = await databases();
      const lock = first.backend.createMigrationLock("athanor:lost");
      await lock.acquire(1_000);
      const checked = deferred();
      const commit = deferred();
      let committed = false;
      const revision = first.db.transaction().execute(async (trx) => {
        await sql`insert into lost_log (revision) values ('checked')`.execute(trx);
        await lock.confirm(trx);
        checked.resolve();
        await commit.promise;
      });
      await checked.promise;
      await loseLock(first, url);

      const taken = second.backend.createMigrationLock("athanor:lost");
      const acquired = taken.acquire(10_000).then(() => committed);
      // Without the commit lock the new holder would have the lock long before this.
      await sleep(300);
      committed = true;
      commit.resolve();
      await revision;
      expect(await acquired).toBe(true);
      expect(await log(second)).toEqual(["checked"]);
      await taken.release();
      await lock.release();
    });
  },
  ["sqlite-file", "postgres"],
);
