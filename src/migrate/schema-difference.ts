import { Kysely, type RawBuilder } from "kysely";
import { createOfflineDialect } from "../backends/offline-dialect.js";
import type { Engine } from "../engine/engine.js";
import type { Schema } from "../schema/define-schema.js";
import { introspectSchema } from "../schema/introspect-schema.js";
import { toSchemaModel } from "../schema/to-schema-model.js";
import { diffSchemas } from "./operations/diff-schemas.js";
import type { Operation } from "./operations/operation.js";
import { DEFAULT_VERSION_TABLE } from "./version-table.js";
import type { CatalogTable, TypeMapping } from "../backends/type-mapping.js";
import type { SchemaModel } from "../schema/schema-model.js";

/**
 * The operations that bring the live database to the declared schema: introspection
 * (without the version table) diffed against the declaration, checks' SQL included.
 */
export async function schemaDifference(engine: Engine<any>, schema: Schema, versionTable: string = DEFAULT_VERSION_TABLE): Promise<Operation[]> {
  const live = await introspectSchema(engine);
  const liveModel = { tables: live.tables.filter((table) => table.name !== versionTable) };
  const catalog = await engine.backend.typeMapping.readCatalog(engine.db);
  const offline = new Kysely<any>({ dialect: createOfflineDialect(engine.dialect, () => {}) });
  return diffSchemas(withoutImpossibleIndexes(toSchemaModel(schema), catalog, engine.backend.typeMapping), liveModel, {
    declaredCheckSql: (table, name) => {
      const expression = schema.table(table)?.checks.find((check) => check.name === name)?.expression;
      if (expression === undefined) return undefined;
      return typeof expression === "string" ? expression : (expression as RawBuilder<unknown>).compile(offline).sql;
    },
    liveCheckSql: (table, name) => {
      const text = catalog.find((entry) => entry.name === table)?.checks.find((check) => check.name === name)?.sql;
      // PostgreSQL reports `CHECK ((expression))`; SQLite the expression itself.
      return text === undefined ? undefined : (/^check\s*\(([\s\S]*)\)$/i.exec(text.trim())?.[1] ?? text);
    },
  });
}

/**
 * The declared model less the indexes this database cannot have (a pgvector index over a
 * vector stored as `real[]`, any access method on SQLite), which DDL leaves out: without this
 * autogenerate would ask for them on every run. Vector storage is read from the live column;
 * a column not created yet is taken to get pgvector when the database has it, as DDL decides.
 */
function withoutImpossibleIndexes(model: SchemaModel, catalog: readonly CatalogTable[], mapping: TypeMapping): SchemaModel {
  return {
    tables: model.tables.map((table) => {
      const live = catalog.find((entry) => entry.name === table.name);
      const indexes = table.indexes.filter((index) => {
        if (index.method === undefined) return true;
        const types = index.columns.map((name) => table.columns.find((column) => column.name === name)?.type);
        const stored = index.columns.map((name) => live?.columns.find((column) => column.name === name)?.sqlType);
        const pgvector = stored.every((sqlType) => sqlType === undefined || /^vector\(/i.test(sqlType));
        return mapping.createsIndex(index, types, { vectorStorage: pgvector ? "pgvector" : "real-array" });
      });
      return indexes.length === table.indexes.length ? table : { ...table, indexes };
    }),
  };
}
