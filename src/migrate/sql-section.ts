import { sqlSyntaxFor } from "../backends/sql-syntax-for.js";
import type { DialectName } from "../engine/database-url.js";
import { dialectSql } from "./dialect-sql.js";
import type { MigrationOperations } from "./migration-operations.js";
import { splitSqlStatements, type SqlStatement } from "./split-sql-statements.js";
import { controlStatement, transactionControl, type TransactionControl } from "./transaction-control.js";

/** One section (`up` or `down`) of a `.sql` revision, ready to run on either dialect. */
export interface SqlSection {
  /** True when, on some dialect, the section begins and ends transactions of its own beyond one wrapping block: it runs as written, outside a migrator transaction. */
  readonly ownsTransactions: boolean;
  run(op: MigrationOperations): Promise<void>;
}

const DIALECTS: readonly DialectName[] = ["postgres", "sqlite"];
const MAY_CONTROL = /\b(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|PREPARE)\b/i;
const NONE: TransactionControl = { kind: "none" };

/**
 * A `.sql` revision section as it runs: the lines for the dialect at hand (`dialectSql`),
 * then by how the text handles transactions (`transactionControl`): a script without
 * `BEGIN`/`COMMIT` runs statement by statement inside the migrator's transaction; a script
 * that is one `BEGIN; … COMMIT;` block runs its inside there too (the same atomicity, and the
 * version row commits with it); any other use of `BEGIN`/`COMMIT` runs as written, statement
 * by statement on one connection, and a failure inside an open block rolls that block back.
 *
 * @example
 * ```ts
 * const section = sqlSection("BEGIN;\nALTER TABLE modules ADD COLUMN new_field varchar(255);\nCOMMIT;");
 * section.ownsTransactions; // false: one wrapping block
 * await section.run(op);    // ALTER TABLE … inside the revision's transaction
 * ```
 */
export function sqlSection(text: string): SqlSection {
  const mayControl = MAY_CONTROL.test(text);
  const plans = new Map<DialectName, { control: TransactionControl; statements: readonly SqlStatement[] }>();
  const planFor = (dialect: DialectName) => {
    let plan = plans.get(dialect);
    if (plan === undefined) {
      try {
        const statements = splitSqlStatements(dialectSql(text, dialect), sqlSyntaxFor(dialect));
        plan = { control: transactionControl(statements), statements };
      } catch {
        // An unterminated quote or comment fails when the revision runs (as executeScript reports it), not when the folder loads.
        plan = { control: NONE, statements: [] };
      }
      plans.set(dialect, plan);
    }
    return plan;
  };
  const ownsTransactions = mayControl && DIALECTS.some((dialect) => planFor(dialect).control.kind === "own");
  return {
    ownsTransactions,
    run(op) {
      const plan = mayControl ? planFor(op.dialect) : undefined;
      if (plan === undefined || plan.control.kind === "none") return op.executeScript(dialectSql(text, op.dialect));
      if (plan.control.kind === "wrapped") return runEach(op, plan.control.statements);
      return runAsWritten(op, plan.statements);
    },
  };
}

async function runEach(op: MigrationOperations, statements: readonly SqlStatement[]): Promise<void> {
  for (const statement of statements) await op.execute(statement.sql);
}

async function runAsWritten(op: MigrationOperations, statements: readonly SqlStatement[]): Promise<void> {
  let open = false;
  for (const statement of statements) {
    const control = controlStatement(statement.sql);
    try {
      await op.execute(statement.sql);
    } catch (error) {
      // PostgreSQL has aborted the block; SQLite keeps it open (even after a failed COMMIT). Either way it is undone, as psql -1 or a failing script would leave it.
      if (open) await op.execute("rollback").catch(() => undefined);
      throw error;
    }
    if (control === "begin" || control === "begin-with-modes") open = true;
    else if (control !== undefined) open = false;
  }
}
