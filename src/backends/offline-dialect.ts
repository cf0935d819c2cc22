import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from "kysely";
import type { DialectName } from "../engine/database-url.js";
import { inlineValues } from "./inline-values.js";
import { SqliteQueryCompiler } from "./sqlite/sqlite-query-compiler.js";

const InlinePostgresCompiler = inlineValues(PostgresQueryCompiler);
const InlineSqliteCompiler = inlineValues(SqliteQueryCompiler, "char(13)");

/**
 * A Kysely dialect that connects to nothing: every statement is compiled with literal
 * values, handed to `record`, and answered with no rows. Offline migrations run their
 * revisions against it to print the SQL they would execute.
 */
export function createOfflineDialect(dialect: DialectName, record: (sql: string) => void): Dialect {
  const connection: DatabaseConnection = {
    async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
      record(compiled.sql);
      return { rows: [] };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
      return;
    },
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: async () => record("begin"),
    commitTransaction: async () => record("commit"),
    rollbackTransaction: async () => record("rollback"),
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  const postgres = dialect === "postgres";
  return {
    createDriver: () => driver,
    createQueryCompiler: () => (postgres ? new (InlinePostgresCompiler as unknown as typeof PostgresQueryCompiler)() : new (InlineSqliteCompiler as unknown as typeof SqliteQueryCompiler)()),
    createAdapter: () => (postgres ? new PostgresAdapter() : new SqliteAdapter()),
    createIntrospector: (db) => (postgres ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
  };
}
