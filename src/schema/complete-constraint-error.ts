import type { CompiledQuery, Kysely } from "kysely";
import { completeConstraintDetails, ConstraintViolationError, ForeignKeyViolationError, NotNullViolationError, UniqueViolationError } from "../errors.js";
import { ConstraintCatalog, type DeclaredConstraint } from "./constraint-catalog.js";
import type { Schema } from "./define-schema.js";
import { probeForeignKey, type RunProbe } from "./probe-foreign-key.js";
import { statementTarget, type StatementTarget } from "./statement-target.js";

export type { RunProbe } from "./probe-foreign-key.js";

/**
 * Completes a constraint error in place, given the statement that failed when known, and a
 * way to query its connection: returns a promise only when it has to look (see {@link probeForeignKey}).
 */
export type CompleteError = (error: unknown, statement?: CompiledQuery, run?: RunProbe) => void | Promise<void>;

/**
 * The engine's constraint-error completer: fills `table`, `columns` and `constraint` that the
 * database left out, so both dialects report the same three. By name (PostgreSQL gives it)
 * or by columns (SQLite gives them) through the schema's {@link ConstraintCatalog}; for a
 * foreign key SQLite names nothing, so the failing statement's table (and the columns it set)
 * narrow the schema's foreign keys to those that can have failed, and when several can, a
 * probe on the statement's connection finds the one whose parent is missing (or whose
 * children remain). What the database said is never replaced. Without a schema, only the
 * statement's table is added where the database omitted it (a SQLite CHECK; the referencing
 * table of a failed INSERT). `db` compiles the probes (a Kysely of the engine's dialect).
 *
 * @example
 * ```ts
 * const complete = constraintErrorCompleter(schema);
 * try { await run(statement) } catch (error) { complete(error, statement); throw error; }
 * ```
 */
export function constraintErrorCompleter(schema: Schema | undefined, db: Kysely<any>): CompleteError {
  let catalog: ConstraintCatalog | undefined;
  const fill = (error: ConstraintViolationError, found: DeclaredConstraint | undefined, target: StatementTarget | undefined): void => {
    if (found !== undefined) completeConstraintDetails(error, { constraint: found.name, table: found.table, columns: found.columns });
    else if (error.table === undefined && target !== undefined && !(error instanceof UniqueViolationError) && (target.kind === "insert" || !(error instanceof ForeignKeyViolationError))) {
      // The constraint of a failed INSERT (or a CHECK / NOT NULL of an UPDATE) belongs to the statement's table.
      completeConstraintDetails(error, { table: target.table });
    }
  };
  return (error, statement, run) => {
    if (!(error instanceof ConstraintViolationError)) return;
    if (error.constraint !== undefined && error.table !== undefined && error.columns.length > 0) return;
    catalog ??= schema === undefined ? undefined : new ConstraintCatalog(schema);
    const target = statement === undefined ? undefined : statementTarget(statement);
    const found = catalog === undefined ? undefined : declaredConstraint(catalog, error, target);
    if (found !== undefined || catalog === undefined || target === undefined || run === undefined || !(error instanceof ForeignKeyViolationError) || error.constraint !== undefined) {
      fill(error, found, target);
      return;
    }
    const candidates = foreignKeyCandidates(catalog, target);
    if (candidates.length < 2) {
      fill(error, undefined, target);
      return;
    }
    // A probe that fails itself leaves the error as the database gave it.
    return probeForeignKey(candidates, statement!, db, run).then(
      (probed) => fill(error, probed, target),
      () => fill(error, undefined, target),
    );
  };
}

function declaredConstraint(catalog: ConstraintCatalog, error: ConstraintViolationError, target: StatementTarget | undefined): DeclaredConstraint | undefined {
  if (error instanceof NotNullViolationError) return undefined;
  const kind: DeclaredConstraint["kind"] = error instanceof UniqueViolationError ? "unique" : error instanceof ForeignKeyViolationError ? "foreignKey" : "check";
  if (error.constraint !== undefined) {
    const named = catalog.byName(error.constraint, error.table ?? (kind === "foreignKey" ? undefined : target?.table));
    return named ?? (error.table === undefined ? catalog.byName(error.constraint) : undefined);
  }
  if (error.table !== undefined && error.columns.length > 0) return catalog.byColumns(kind, error.table, error.columns);
  if (kind !== "foreignKey" || target === undefined) return undefined;
  const candidates = foreignKeyCandidates(catalog, target);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The foreign keys a statement can have violated: its own (those it set) for an INSERT or UPDATE, those referencing its table for a DELETE or a key UPDATE. */
function foreignKeyCandidates(catalog: ConstraintCatalog, target: StatementTarget): DeclaredConstraint[] {
  const sets = (columns: readonly string[] | undefined) => target.columns === undefined || (columns ?? []).some((column) => target.columns!.has(column));
  const own = target.kind === "delete" ? [] : catalog.foreignKeysOf(target.table).filter((foreignKey) => sets(foreignKey.columns));
  const referencing = target.kind === "insert" ? [] : catalog.referencing(target.table).filter((foreignKey) => target.kind === "delete" || sets(foreignKey.referencedColumns));
  return [...own, ...referencing];
}
