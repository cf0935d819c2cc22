import { sql, type Kysely } from "kysely";
import type { MigrationLock } from "../backends/migration-lock.js";
import { schemaEditorFor } from "../backends/schema-editor-for.js";
import type { Engine } from "../engine/engine.js";
import {
  AthanorError,
  ChecksumMismatchError,
  MigrationFailedError,
  MigrationFailedStateError,
  MigrationNeedsDirectUrlError,
  NotSupportedError,
  RevisionScriptMissingError,
} from "../errors.js";
import { createMigrationOperations } from "./migration-operations.js";
import type { MigrationRunResult, MigrationStepResult } from "./migration-result.js";
import type { RevisionScript } from "./revision-script.js";
import { appliedFromHeads } from "./revision-graph/applied-from-heads.js";
import { buildRevisionGraph } from "./revision-graph/build-revision-graph.js";
import { currentHeads } from "./revision-graph/current-heads.js";
import type { MigrationDirection, MigrationStep } from "./revision-graph/migration-plan.js";
import { planMigration } from "./revision-graph/plan-migration.js";
import { resolveTarget } from "./revision-graph/resolve-target.js";
import type { RevisionGraph } from "./revision-graph/revision-graph.js";
import { DEFAULT_VERSION_TABLE, VersionTable, type AppliedRevision } from "./version-table.js";

/** Options of {@link createMigrator}. */
export interface MigratorOptions {
  /** The revisions (usually `await loadRevisionScripts(folder)`). */
  readonly scripts: readonly RevisionScript[];
  /** Where the scripts came from, for messages. */
  readonly directory?: string;
  /** Version table name. Default `athanor_revisions`. */
  readonly versionTable?: string;
  /** Hold the migration lock while working. Default true; turning it off is for tests that prove the lock matters. */
  readonly lock?: boolean;
  /** How long to wait for another migrator. Default 60 000. */
  readonly lockTimeoutMillis?: number;
  /** Called before each revision runs, for progress output. */
  readonly onStepStart?: (step: { readonly revision: string; readonly message: string | null; readonly path: string; readonly direction: MigrationDirection }) => void;
  /** Called after each revision ran (or failed), for progress output. */
  readonly onStep?: (step: MigrationStepResult) => void;
  /** Called once when another migrator holds the lock, before waiting for it, with who holds it when known. */
  readonly onLockWait?: (holder: string | undefined) => void;
}

/** The database's migration state. */
export interface MigrationStatus {
  /** Current heads (one per unmerged branch applied). */
  readonly heads: readonly string[];
  /** Every row of the version table. */
  readonly applied: readonly AppliedRevision[];
  /** Heads of the revision files: the database is up to date when `heads` equals this. */
  readonly scriptHeads: readonly string[];
}

/** Runs revisions against one engine. Every command takes the migration lock. */
export interface Migrator {
  upgrade(target?: string): Promise<MigrationRunResult>;
  downgrade(target: string): Promise<MigrationRunResult>;
  /** Rewrites the version table to `target` without running anything. */
  stamp(target: string): Promise<MigrationStatus>;
  status(): Promise<MigrationStatus>;
  readonly graph: RevisionGraph<RevisionScript>;
}

/**
 * Creates a migrator: each revision runs in its own transaction (unless it opts out),
 * recorded with its checksum, time and duration; edited, deleted or out-of-order applied
 * revisions are refused; a lock keeps concurrent migrators (any process) apart.
 *
 * @example
 * ```ts
 * const migrator = createMigrator(engine, { scripts: await loadRevisionScripts("./migrations") });
 * const result = await migrator.upgrade("head");
 * if (!result.ok) throw result.error;
 * ```
 */
export function createMigrator(engine: Engine, options: MigratorOptions): Migrator {
  const graph = buildRevisionGraph(options.scripts);
  const table = new VersionTable(options.versionTable ?? DEFAULT_VERSION_TABLE);
  const directory = options.directory ?? "the migrations folder";
  const useLock = options.lock ?? true;
  const lockTimeoutMillis = options.lockTimeoutMillis ?? 60_000;

  /**
   * Runs `work` under the migration lock. A `"transaction"` lock (behind a transaction pooler,
   * or a row lock) is taken in one transaction that holds the whole command: `work` gets that
   * transaction as `db`, and `inTransaction` true.
   */
  const locked = async <T>(work: (lock: MigrationLock | undefined, db: Kysely<any>, inTransaction: boolean) => Promise<T>): Promise<T> => {
    const lock = useLock ? engine.backend.createMigrationLock(`athanor:${table.name}`) : undefined;
    if (lock?.scope === "transaction") {
      await lock.prepare?.(engine.db);
      return engine.db.transaction().execute(async (trx) => {
        await lock.acquire(lockTimeoutMillis, options.onLockWait, trx);
        await table.ensure(trx);
        return work(lock, trx, true);
      });
    }
    await lock?.acquire(lockTimeoutMillis, options.onLockWait);
    try {
      await table.ensure(engine.db);
      return await work(lock, engine.db, false);
    } finally {
      await lock?.release();
    }
  };

  const readVerified = async (db: Kysely<any>): Promise<AppliedRevision[]> => {
    const applied = await table.read(db);
    for (const row of applied) {
      const script = graph.nodes.get(row.revision)?.record;
      if (script === undefined) throw new RevisionScriptMissingError(row.revision, directory);
      if (row.state !== "applied") throw new MigrationFailedStateError(row.revision, row.state, undoTargetOf(script));
      if (row.checksum !== script.checksum) throw new ChecksumMismatchError(row.revision, script.path, row.checksum, script.checksum);
    }
    return applied;
  };

  const { telemetry } = engine.internals.instrumentation;
  // With tracing on: one span per run, one per revision under it, their statements under that.
  const run = (direction: MigrationDirection, target: string): Promise<MigrationRunResult> =>
    telemetry === undefined
      ? runLocked(direction, target)
      : telemetry.inSpan(`migrate ${direction}`, { "athanor.migration.target": target }, () => runLocked(direction, target), (result) => result.error);
  // Behind a transaction pooler every revision runs under a savepoint of the run's one transaction.
  const stepOnce = (step: MigrationStep<RevisionScript>, lock: MigrationLock | undefined, db: Kysely<any>, inTransaction: boolean): Promise<MigrationStepResult> =>
    inTransaction ? runStepUnderSavepoint(engine, table, step, db) : runStep(engine, table, step, lock);
  const traceStep = (step: MigrationStep<RevisionScript>, lock: MigrationLock | undefined, db: Kysely<any>, inTransaction: boolean): Promise<MigrationStepResult> =>
    telemetry === undefined
      ? stepOnce(step, lock, db, inTransaction)
      : telemetry.inSpan(`migrate ${step.direction} ${step.record.revision}`, { "athanor.migration.revision": step.record.revision }, () => stepOnce(step, lock, db, inTransaction), (result) => result.error);

  const runLocked = (direction: MigrationDirection, target: string): Promise<MigrationRunResult> =>
    locked(async (lock, db, inTransaction) => {
      const applied = await readVerified(db);
      const plan = planMigration(graph, { applied: applied.map((row) => row.revision), target, direction });
      const outside = inTransaction ? plan.steps.find((step) => !step.record.transactional) : undefined;
      if (outside !== undefined) throw new MigrationNeedsDirectUrlError(outside.record.revision, outside.record.path);
      const steps: MigrationStepResult[] = [];
      let failure: AthanorError | undefined;
      for (const step of plan.steps) {
        if (failure !== undefined) {
          steps.push(notRun(step));
          continue;
        }
        options.onStepStart?.({ revision: step.record.revision, message: step.record.message ?? null, path: step.record.path, direction: step.direction });
        const result = await traceStep(step, lock, db, inTransaction);
        steps.push(result);
        options.onStep?.(result);
        failure = result.error;
      }
      const after = await table.read(db);
      return {
        direction,
        target,
        ok: failure === undefined,
        steps,
        headsBefore: plan.headsBefore,
        headsAfter: currentHeads(graph, after.filter((row) => row.state === "applied").map((row) => row.revision)),
        error: failure,
      };
    });

  const status = async (): Promise<MigrationStatus> => {
    const applied = (await table.exists(engine.db)) ? await table.read(engine.db) : [];
    const done = applied.filter((row) => row.state === "applied" && graph.nodes.has(row.revision)).map((row) => row.revision);
    return { heads: currentHeads(graph, done), applied, scriptHeads: graph.heads };
  };

  return {
    graph,
    upgrade: (target = "head") => run("upgrade", target),
    downgrade: (target) => run("downgrade", target),
    status,
    stamp: async (target) => {
      await locked(async (lock, db, inTransaction) => {
        const wanted = target === "base" ? [] : appliedFromHeads(graph, resolveTarget(graph, target));
        const write = async (trx: Kysely<any>) => {
          await trx.deleteFrom(table.name).execute();
          const stampedAt = new Date().toISOString();
          for (const id of wanted) {
            const script = graph.nodes.get(id)!.record;
            await table.insert(trx, { revision: id, message: script.message ?? null, checksum: script.checksum, state: "applied", appliedAt: stampedAt, durationMillis: 0, path: script.path });
          }
          await lock?.confirm(trx);
        };
        await (inTransaction ? write(db) : engine.db.transaction().execute(write));
      });
      return status();
    },
  };
}

/**
 * Runs one revision. With a lock, proves it is still held as the revision's last statement
 * before COMMIT (outside a transaction: before the revision starts and before it is recorded).
 */
async function runStep(engine: Engine, table: VersionTable, step: MigrationStep<RevisionScript>, lock: MigrationLock | undefined): Promise<MigrationStepResult> {
  const script = step.record;
  const startedAt = performance.now();
  const base = { revision: script.revision, message: script.message ?? null, path: script.path, direction: step.direction };
  try {
    const action = step.direction === "upgrade" ? script.up : script.down;
    if (action === undefined) throw new NotSupportedError(`revision ${script.revision} (${script.path}) has no down(); it cannot be downgraded`);
    if (script.transactional) {
      await schemaEditorFor(engine.dialect).transaction(engine.db, async (trx) => {
        await action(createMigrationOperations(engine.dialect, trx, operationOptions(engine)));
        await record(table, trx, step, performance.now() - startedAt);
        await lock?.confirm(trx);
      });
    } else {
      // Outside a transaction a failure leaves part of the work behind: the "running" row
      // stays, and the next run refuses until someone resolves it (stamp). One connection for
      // the whole revision: a script's own BEGIN … COMMIT must reach the statements it wraps.
      await engine.db.connection().execute(async (db) => {
        await lock?.confirm(db);
        if (step.direction === "upgrade") {
          await table.insert(db, { ...applyRow(script, 0), state: "running" });
        } else {
          await db.updateTable(table.name).set({ state: "running" }).where("revision", "=", script.revision).execute();
        }
        await action(createMigrationOperations(engine.dialect, db, operationOptions(engine)));
        await lock?.confirm(db);
        if (step.direction === "upgrade") await table.markApplied(db, script.revision, performance.now() - startedAt);
        else await table.delete(db, script.revision);
      });
    }
    return { ...base, status: step.direction === "upgrade" ? "applied" : "reverted", durationMillis: performance.now() - startedAt, error: undefined };
  } catch (error) {
    const wrapped = error instanceof AthanorError ? error : new MigrationFailedError(`revision ${script.revision} (${script.path}) failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    return { ...base, status: "failed", durationMillis: performance.now() - startedAt, error: wrapped };
  }
}

/**
 * Runs one (transactional) revision inside the command's one transaction `db`, under a
 * savepoint: a failure rolls back this revision only, and those before it commit with the
 * transaction, as when each revision has a transaction of its own.
 */
async function runStepUnderSavepoint(engine: Engine, table: VersionTable, step: MigrationStep<RevisionScript>, db: Kysely<any>): Promise<MigrationStepResult> {
  const script = step.record;
  const startedAt = performance.now();
  const base = { revision: script.revision, message: script.message ?? null, path: script.path, direction: step.direction };
  await sql`savepoint athanor_revision`.execute(db);
  try {
    const action = step.direction === "upgrade" ? script.up : script.down;
    if (action === undefined) throw new NotSupportedError(`revision ${script.revision} (${script.path}) has no down(); it cannot be downgraded`);
    await action(createMigrationOperations(engine.dialect, db, operationOptions(engine)));
    await record(table, db, step, performance.now() - startedAt);
    await sql`release savepoint athanor_revision`.execute(db);
    return { ...base, status: step.direction === "upgrade" ? "applied" : "reverted", durationMillis: performance.now() - startedAt, error: undefined };
  } catch (error) {
    await sql`rollback to savepoint athanor_revision`.execute(db);
    const wrapped = error instanceof AthanorError ? error : new MigrationFailedError(`revision ${script.revision} (${script.path}) failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    return { ...base, status: "failed", durationMillis: performance.now() - startedAt, error: wrapped };
  }
}

function operationOptions(engine: Engine): { maxParameters: number } {
  return { maxParameters: engine.backend.capabilities.maxParameters };
}

async function record(table: VersionTable, db: Kysely<any>, step: MigrationStep<RevisionScript>, durationMillis: number): Promise<void> {
  if (step.direction === "upgrade") await table.insert(db, applyRow(step.record, durationMillis));
  else await table.delete(db, step.record.revision);
}

function applyRow(script: RevisionScript, durationMillis: number): AppliedRevision {
  return {
    revision: script.revision,
    message: script.message ?? null,
    checksum: script.checksum,
    state: "applied",
    appliedAt: new Date().toISOString(),
    durationMillis,
    path: script.path,
  };
}

function notRun(step: MigrationStep<RevisionScript>): MigrationStepResult {
  const script = step.record;
  return { revision: script.revision, message: script.message ?? null, path: script.path, direction: step.direction, status: "not-run", durationMillis: 0, error: undefined };
}

function undoTargetOf(script: RevisionScript): string {
  const down = script.downRevision;
  if (down === null) return "base";
  return typeof down === "string" ? down : down.join(" ");
}
