import { sql, type Kysely } from "kysely";
import { schemaEditorFor, typeMappingFor } from "../backends/schema-editor-for.js";
import { sqlSyntaxFor } from "../backends/sql-syntax-for.js";
import type { DialectName } from "../engine/database-url.js";
import type { AnyColumn } from "../schema/column.js";
import { applyOperation, type OperationTarget } from "./operations/apply-operation.js";
import type { Operation } from "./operations/operation.js";
import {
  builderColumnModel,
  toColumnChanges,
  toColumnModel,
  toForeignKeyModel,
  toIndexModel,
  toTableSpec,
  type ColumnChangesInput,
  type ColumnInput,
  type ForeignKeyInput,
  type IndexInput,
  type TableInput,
} from "./operations/operation-inputs.js";
import { splitSqlStatements } from "./split-sql-statements.js";

/**
 * What a revision's `up`/`down` receives: portable schema operations rendered for the
 * database at hand (on SQLite, the ALTERs it lacks rebuild the table transparently, rows
 * kept), a Kysely bound to the revision's transaction (`op.db`), and raw SQL.
 *
 * @example
 * ```ts
 * async up(op) {
 *   await op.createTable("agents", {
 *     columns: [
 *       { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
 *       { name: "ownerId", type: "uuid", nullable: false },
 *       { name: "name", type: { kind: "varchar", length: 200 }, nullable: false },
 *     ],
 *     primaryKey: ["id"],
 *     foreignKeys: [{ columns: ["ownerId"], referencedTable: "users", referencedColumns: ["id"], onDelete: "cascade" }],
 *     indexes: [{ name: "ix_agents_owner_id", columns: ["ownerId"] }],
 *   });
 *   await op.addColumn("agents", { name: "schedule", type: "text" });
 *   await op.alterColumn("agents", "name", { type: "text" });
 *   if (op.dialect === "postgres") await op.execute("create index concurrently ix_agents_schedule on agents (schedule)");
 * }
 * ```
 */
export interface MigrationOperations {
  readonly dialect: DialectName;
  readonly db: Kysely<any>;
  /** Runs one SQL statement. */
  execute(statement: string): Promise<void>;
  /** Runs a script of several statements, split by the dialect's rules (quotes, comments, `$$` bodies, trigger bodies). */
  executeScript(script: string): Promise<void>;
  /** Creates a table with its keys, checks and indexes. Columns as `{ name, type, … }` objects or the schema's builders (`{ id: uuid().primaryKey() }`). */
  createTable(name: string, table: TableInput): Promise<void>;
  dropTable(name: string): Promise<void>;
  renameTable(from: string, to: string): Promise<void>;
  /** Adds a column: `op.addColumn("agents", { name: "schedule", type: "text" })` or `op.addColumn("agents", "schedule", text())`. */
  addColumn(table: string, column: ColumnInput): Promise<void>;
  addColumn(table: string, name: string, column: AnyColumn): Promise<void>;
  /** Drops a column, and (as PostgreSQL does) the keys and indexes that use it. */
  dropColumn(table: string, column: string): Promise<void>;
  /** Changes a column's type, nullability and/or default (`default: null` drops it). */
  alterColumn(table: string, column: string, changes: ColumnChangesInput): Promise<void>;
  renameColumn(table: string, from: string, to: string): Promise<void>;
  createIndex(table: string, index: IndexInput): Promise<void>;
  dropIndex(table: string, name: string): Promise<void>;
  addForeignKey(table: string, foreignKey: ForeignKeyInput): Promise<void>;
  /** Drops the foreign key over `columns` (found by its columns, whatever its name). */
  dropForeignKey(table: string, columns: readonly string[]): Promise<void>;
  addUnique(table: string, columns: readonly string[]): Promise<void>;
  /** Drops the UNIQUE constraint over `columns` (found by its columns, whatever its name). */
  dropUnique(table: string, columns: readonly string[]): Promise<void>;
  /** Inserts rows (values as the driver takes them; chunked below the parameter limit). */
  bulkInsert(table: string, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Promise<void>;
  /** Applies an operation given as data (what autogenerate produces). */
  apply(operation: Operation): Promise<void>;
}

/** Options of {@link createMigrationOperations}. */
export interface MigrationOperationsOptions {
  /** Offline SQL: nothing can be read back, so SQLite table rebuilds fail with `OfflineRebuildError`. */
  readonly offline?: boolean;
  readonly maxParameters?: number;
  /** Offline SQL for PostgreSQL with pgvector: vectors as `vector(n)`, pgvector indexes created (offline cannot probe for the extension). */
  readonly assumePgvector?: boolean;
}

/** The operations object for one revision run. */
export function createMigrationOperations(dialect: DialectName, db: Kysely<any>, options: MigrationOperationsOptions = {}): MigrationOperations {
  const target: OperationTarget = {
    dialect,
    db,
    mapping: typeMappingFor(dialect),
    editor: schemaEditorFor(dialect),
    offline: options.offline ?? false,
    maxParameters: options.maxParameters ?? 999,
    assumePgvector: options.assumePgvector ?? false,
  };
  const apply = (operation: Operation) => applyOperation(target, operation);
  return Object.freeze({
    dialect,
    db,
    execute: async (statement: string) => {
      await sql.raw(statement).execute(db);
    },
    executeScript: async (script: string) => {
      for (const statement of splitSqlStatements(script, sqlSyntaxFor(dialect))) await sql.raw(statement.sql).execute(db);
    },
    createTable: (name: string, table: TableInput) => apply({ kind: "createTable", table: toTableSpec(name, table) }),
    dropTable: (name: string) => apply({ kind: "dropTable", name }),
    renameTable: (from: string, to: string) => apply({ kind: "renameTable", from, to }),
    addColumn: (table: string, column: ColumnInput | string, builder?: AnyColumn) =>
      apply({ kind: "addColumn", table, column: typeof column === "string" ? builderColumnModel(column, builder!) : toColumnModel(column) }),
    dropColumn: (table: string, name: string) => apply({ kind: "dropColumn", table, name }),
    alterColumn: (table: string, name: string, changes: ColumnChangesInput) => apply({ kind: "alterColumn", table, name, changes: toColumnChanges(changes) }),
    renameColumn: (table: string, from: string, to: string) => apply({ kind: "renameColumn", table, from, to }),
    createIndex: (table: string, index: IndexInput) => apply({ kind: "createIndex", table, index: toIndexModel(index) }),
    dropIndex: (table: string, name: string) => apply({ kind: "dropIndex", table, name }),
    addForeignKey: (table: string, foreignKey: ForeignKeyInput) => apply({ kind: "addForeignKey", table, foreignKey: toForeignKeyModel(foreignKey) }),
    dropForeignKey: (table: string, columns: readonly string[]) => apply({ kind: "dropForeignKey", table, columns: [...columns] }),
    addUnique: (table: string, columns: readonly string[]) => apply({ kind: "addUnique", table, columns: [...columns] }),
    dropUnique: (table: string, columns: readonly string[]) => apply({ kind: "dropUnique", table, columns: [...columns] }),
    bulkInsert: (table: string, rows: ReadonlyArray<Readonly<Record<string, unknown>>>) => apply({ kind: "bulkInsert", table, rows }),
    apply,
  }) as MigrationOperations;
}
