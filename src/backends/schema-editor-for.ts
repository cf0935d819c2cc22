import type { DialectName } from "../engine/database-url.js";
import { postgresSchemaEditor } from "./postgres/postgres-schema-editor.js";
import type { SchemaEditor } from "./schema-editor.js";
import { sqliteSchemaEditor } from "./sqlite/sqlite-schema-editor.js";
import type { TypeMapping } from "./type-mapping.js";
import { postgresTypeMapping } from "./postgres/postgres-type-mapping.js";
import { sqliteTypeMapping } from "./sqlite/sqlite-type-mapping.js";

/** The schema editor of a dialect (also without a connection, for offline SQL). */
export function schemaEditorFor(dialect: DialectName): SchemaEditor {
  return dialect === "postgres" ? postgresSchemaEditor : sqliteSchemaEditor;
}

/** The portable type mapping of a dialect (also without a connection, for offline SQL). */
export function typeMappingFor(dialect: DialectName): TypeMapping {
  return dialect === "postgres" ? postgresTypeMapping : sqliteTypeMapping;
}
