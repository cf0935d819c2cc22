import { sql, type Kysely } from "kysely";
import type { SchemaEditor } from "../../backends/schema-editor.js";
import type { TableChange } from "../../backends/table-change.js";
import type { CatalogTable, TypeMapping } from "../../backends/type-mapping.js";
import type { DialectName } from "../../engine/database-url.js";
import { NotSupportedError, OfflineRebuildError } from "../../errors.js";
import type { PortableType } from "../../schema/portable-type.js";
import { createIndexStatement } from "../../schema/schema-ddl.js";
import type { IndexModel } from "../../schema/schema-model.js";
import { changeCatalogTable } from "./change-catalog-table.js";
import { checkOperation } from "./check-operation.js";
import { createTableQuery } from "./create-table-query.js";
import type { Operation } from "./operation.js";

/** Where operations run: the revision's Kysely plus the dialect's type mapping and schema editor. */
export interface OperationTarget {
  readonly dialect: DialectName;
  readonly db: Kysely<any>;
  readonly mapping: TypeMapping;
  readonly editor: SchemaEditor;
  /** Offline SQL: nothing can be read, so table rebuilds are refused. */
  readonly offline: boolean;
  /** Most bound parameters per statement (bulk inserts are chunked below it). */
  readonly maxParameters: number;
  /** Offline SQL for a database with pgvector (offline cannot probe for it): vectors are rendered as `vector(n)`. */
  readonly assumePgvector?: boolean;
}

/** Applies one {@link Operation}, after {@link checkOperation} (names, types, defaults). */
export async function applyOperation(target: OperationTarget, operation: Operation): Promise<void> {
  checkOperation(operation);
  const { db, mapping } = target;
  switch (operation.kind) {
    case "createTable": {
      const context = await mapping.prepare(db, { vectors: operation.table.columns.some((column) => column.type.kind === "vector"), assumePgvector: target.assumePgvector });
      await createTableQuery(db, operation.table, mapping, context).execute();
      const types = new Map(operation.table.columns.map((column) => [column.name, column.type]));
      for (const index of operation.table.indexes) {
        if (mapping.createsIndex(index, index.columns.map((column) => types.get(column)), context)) await createIndexStatement(db, operation.table.name, index, false).execute();
      }
      return;
    }
    case "dropTable":
      await db.schema.dropTable(operation.name).execute();
      return;
    case "renameTable":
      await db.schema.alterTable(operation.from).renameTo(operation.to).execute();
      return;
    case "renameColumn":
      await db.schema.alterTable(operation.table).renameColumn(operation.from, operation.to).execute();
      return;
    case "createIndex":
      await createIndex(target, operation.table, operation.index);
      return;
    case "dropIndex":
      // Not db.schema.dropIndex(): Kysely reads a "." in the name as schema.index.
      await sql`drop index ${sql.id(operation.name)}`.execute(db);
      return;
    case "execute":
      await sql.raw(operation.sql).execute(db);
      return;
    case "bulkInsert":
      await bulkInsert(target, operation.table, operation.rows);
      return;
    default:
      await applyTableChange(target, operation);
  }
}

async function applyTableChange(target: OperationTarget, change: TableChange): Promise<void> {
  const { db, mapping, editor } = target;
  const context = await mapping.prepare(db, { vectors: typesOf(change).some((type) => type.kind === "vector"), assumePgvector: target.assumePgvector });
  let live: CatalogTable | undefined;
  const readLive = async (): Promise<CatalogTable> => {
    if (target.offline) throw new OfflineRebuildError(change.kind, change.table, target.dialect);
    live ??= (await mapping.readCatalog(db)).find((table) => table.name === change.table);
    if (live === undefined) throw new NotSupportedError(`op.${change.kind}: table "${change.table}" does not exist`);
    return live;
  };
  const statements = editor.alterSql(change, editor.needsLiveTable(change) ? await readLive() : undefined, mapping, context);
  if (statements !== undefined) {
    for (const statement of statements) await sql.raw(statement).execute(db);
    return;
  }
  const current = await readLive();
  if (!db.isTransaction) {
    throw new NotSupportedError(`op.${change.kind} on "${change.table}" rebuilds the table on ${target.dialect}, which needs a transactional revision (remove \`transactional: false\`)`);
  }
  const rebuilt = changeCatalogTable(current, change, mapping, context);
  await editor.rebuildTable(db, current, rebuilt.table, rebuilt.copy);
}

/**
 * An index the database can have. Its columns' types are not known here: an index with an
 * access method asks the mapping as for vector columns, so a pgvector index is left out
 * where vectors are `real[]` (or on SQLite).
 */
async function createIndex(target: OperationTarget, table: string, index: IndexModel): Promise<void> {
  const { db, mapping } = target;
  if (index.method !== undefined) {
    const context = await mapping.prepare(db, { vectors: true, assumePgvector: target.assumePgvector });
    if (!mapping.createsIndex(index, index.columns.map(() => ({ kind: "vector", dimensions: 0 })), context)) return;
  }
  await createIndexStatement(db, table, index, false).execute();
}

async function bulkInsert(target: OperationTarget, table: string, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Promise<void> {
  if (rows.length === 0) return;
  const perRow = Math.max(1, new Set(rows.flatMap((row) => Object.keys(row))).size);
  const chunk = Math.max(1, Math.floor(target.maxParameters / perRow));
  for (let start = 0; start < rows.length; start += chunk) {
    await target.db.insertInto(table).values(rows.slice(start, start + chunk) as Record<string, unknown>[]).execute();
  }
}

function typesOf(change: TableChange): PortableType[] {
  if (change.kind === "addColumn") return [change.column.type];
  if (change.kind === "alterColumn" && change.changes.type !== undefined) return [change.changes.type];
  return [];
}
