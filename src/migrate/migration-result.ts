import type { AthanorError } from "../errors.js";
import type { MigrationDirection } from "./revision-graph/migration-plan.js";

/** What happened to one revision in a run. */
export interface MigrationStepResult {
  readonly revision: string;
  readonly message: string | null;
  readonly path: string;
  readonly direction: MigrationDirection;
  /** `applied`/`reverted` (done), `failed` (rolled back, or left "running" when non-transactional), `not-run` (after a failure). */
  readonly status: "applied" | "reverted" | "failed" | "not-run";
  readonly durationMillis: number;
  readonly error: AthanorError | undefined;
}

/**
 * The result set of an upgrade or downgrade: what ran, what failed, what was not run.
 * A failing revision does not throw; `ok` is false and `error` says why.
 */
export interface MigrationRunResult {
  readonly direction: MigrationDirection;
  readonly target: string;
  readonly ok: boolean;
  readonly steps: readonly MigrationStepResult[];
  readonly headsBefore: readonly string[];
  readonly headsAfter: readonly string[];
  readonly error: AthanorError | undefined;
}
