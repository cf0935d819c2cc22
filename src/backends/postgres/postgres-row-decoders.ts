import type pg from "pg";
import { rowDecoder, type RowDecoder, type ValueDecoder, type ValueDecoders } from "../../schema/value-decoders.js";
import { StatementCache } from "../statement-cache.js";

const INT8 = 20;
const NUMERIC = 1700;
/** `real[]`, a schema vector's storage without pgvector. */
const FLOAT4_ARRAY = 1021;
/** OIDs below this are built into PostgreSQL, and the engine's type parsers read them. */
const FIRST_USER_OID = 16_384;
/** Decoders kept per engine, by statement text. */
const CACHE_SIZE = 2_000;

/** Runs one catalog query on the connection that got the result (inside its transaction, if any). */
export type CatalogQuery = <R extends pg.QueryResultRow>(sql: string, values: unknown[]) => Promise<R[]>;

const toNumber: ValueDecoder = (value) => (value === null ? null : Number(value));

/**
 * The read path of the value policy on PostgreSQL. The engine's type parsers already give
 * Dates, booleans, parsed JSON, UUIDs, numeric text and `real[]` arrays; what is left is
 * decided from each result's row description, once per statement text:
 * - an `int8` column of a table (`tableID` set) is a `bigint` (or a number, for a column the
 *   schema declares with `{ mode: "number" }`), while an `int8` or `numeric` expression
 *   (`count(*)`, `sum(…)`, `avg(…)`) is a number, as SQLite gives it (a `numeric` column keeps
 *   its fixed-scale text);
 * - a pgvector `vector` (a type of its own, named through the catalog once) is an array;
 * - a `real[]` (a vector without pgvector) has each element read as the shortest decimal of
 *   its float32, as on every other storage: PostgreSQL prints one digit more for the float32
 *   values whose shortest decimal lies halfway between two of them (`-3.8452632e+07`, where
 *   JavaScript's shortest is `-38452630`).
 */
export class PostgresRowDecoders {
  readonly #decoders: ValueDecoders;
  readonly #bySql = new StatementCache<RowDecoder | null>(CACHE_SIZE);
  /** Table OID → its name and columns by attribute number (null: not a table of the schema). */
  readonly #tables = new Map<number, { readonly name: string; readonly columns: ReadonlyMap<number, string> } | null>();
  /** Type OID (user types) → type name. */
  readonly #types = new Map<number, string>();
  /** Only a `bigint` column in number mode needs its table and column named. */
  readonly #numberModeColumns: boolean;
  readonly #vectors: boolean;

  constructor(decoders: ValueDecoders) {
    this.#decoders = decoders;
    const columns = decoders.schema.definitions.flatMap((table) => table.columns.map((column) => column.definition));
    this.#numberModeColumns = columns.some((column) => column.type.kind === "bigint" && column.bigintMode === "number");
    this.#vectors = columns.some((column) => column.type.kind === "vector");
  }

  /** The decoder of a result (undefined: nothing to do); a promise the first time a statement needs the catalog. */
  forResult(sql: string, fields: readonly pg.FieldDef[], catalog: CatalogQuery): RowDecoder | undefined | Promise<RowDecoder | undefined> {
    const cached = this.#bySql.get(sql);
    if (cached !== undefined) return cached ?? undefined;
    const tables = this.#numberModeColumns ? fields.filter((field) => field.dataTypeID === INT8 && field.tableID !== 0 && !this.#tables.has(field.tableID)).map((field) => field.tableID) : [];
    const types = this.#vectors ? fields.filter((field) => field.dataTypeID >= FIRST_USER_OID && !this.#types.has(field.dataTypeID)).map((field) => field.dataTypeID) : [];
    if (tables.length === 0 && types.length === 0) return this.#remember(sql, fields);
    return this.#lookUp(tables, types, catalog).then(() => this.#remember(sql, fields));
  }

  #remember(sql: string, fields: readonly pg.FieldDef[]): RowDecoder | undefined {
    const decoder = rowDecoder(
      fields.map((field) => field.name),
      fields.map((field) => this.#decoderOf(field)),
    );
    this.#bySql.add(sql, decoder ?? null);
    return decoder;
  }

  #decoderOf(field: pg.FieldDef): ValueDecoder | undefined {
    if (field.dataTypeID === NUMERIC) return field.tableID === 0 ? toNumber : undefined;
    if (field.dataTypeID === INT8) {
      if (field.tableID === 0) return toNumber;
      const table = this.#tables.get(field.tableID);
      const column = table?.columns.get(field.columnID);
      if (table && column !== undefined && this.#decoders.declares(table.name, column)) return this.#decoders.column(table.name, column);
      return this.#decoders.type({ kind: "bigint" });
    }
    if (field.dataTypeID === FLOAT4_ARRAY && this.#vectors) return this.#decoders.type({ kind: "vector", dimensions: 0 });
    if (field.dataTypeID >= FIRST_USER_OID && this.#types.get(field.dataTypeID) === "vector") return this.#decoders.type({ kind: "vector", dimensions: 0 });
    return undefined;
  }

  async #lookUp(tables: readonly number[], types: readonly number[], catalog: CatalogQuery): Promise<void> {
    if (tables.length > 0) {
      const rows = await catalog<{ oid: number; relname: string; attnum: number; attname: string }>(
        "select c.oid::int as oid, c.relname, a.attnum::int as attnum, a.attname from pg_class c join pg_attribute a on a.attrelid = c.oid where c.oid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped",
        [tables],
      );
      for (const oid of tables) {
        const columns = rows.filter((row) => row.oid === oid);
        const name = columns[0]?.relname;
        this.#tables.set(oid, name === undefined || this.#decoders.schema.table(name) === undefined ? null : { name, columns: new Map(columns.map((row) => [row.attnum, row.attname])) });
      }
    }
    if (types.length > 0) {
      const rows = await catalog<{ oid: number; name: string }>("select oid::int as oid, typname as name from pg_type where oid = any($1::oid[])", [types]);
      for (const row of rows) this.#types.set(row.oid, row.name);
    }
  }
}
