import type { Insertable, Kysely } from "kysely";
import type { Engine } from "../engine/engine.js";
import { AthanorError, ConstraintViolationError, SeedError } from "../errors.js";
import type { ColumnDefinition } from "../schema/column.js";
import type { Schema } from "../schema/define-schema.js";
import { SchemaPlugin } from "../schema/schema-plugin.js";
import type { TableDefinition } from "../schema/table-definition.js";
import { checkFixtureValue } from "./check-fixture-value.js";
import { sameValue } from "./same-value.js";
import type { SeedResult, SeedTableResult } from "./seed-result.js";

/** Rows to seed, per table name, typed by the schema's database interface. */
export type Fixtures<DB> = { readonly [T in keyof DB & string]?: ReadonlyArray<Insertable<DB[T]>> };

/** A session factory (`createSessionFactory(engine)`): seeding runs in one `run()`. */
export interface SeedSessions<DB> {
  readonly engine: Engine<DB>;
  run<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T>;
}

interface PlannedRow {
  readonly index: number;
  readonly values: Record<string, unknown>;
  readonly key: readonly string[];
}

type Counts = { inserted: number; updated: number; unchanged: number };

/**
 * Seeds fixtures: tables in foreign-key order, all in one transaction (all or nothing),
 * idempotently — each row is matched by its primary key, or else by a unique key whose
 * values it gives; a matching row that differs is updated, an equal one left alone, so a
 * second run changes nothing. Concurrent seeders of the same fixtures all succeed: a row
 * another one inserted meanwhile is found, not a unique violation (`ON CONFLICT DO NOTHING`
 * on the matching key). Fixtures are checked before anything is written: an unknown
 * column, a value of the wrong type or a missing required value fails naming the table,
 * row and column. Never throws for bad data: returns a {@link SeedResult}.
 *
 * @example
 * ```ts
 * const result = await seed(sessions, schema, {
 *   users: [{ id: adminId, email: "admin@example.com", name: "Admin" }],
 *   agents: [{ id: agentId, ownerId: adminId, name: "nightly", schedule: "0 3 * * *" }],
 * });
 * if (!result.ok) throw result.error;
 * ```
 */
export async function seed<DB>(target: Engine<DB> | SeedSessions<DB>, schema: Schema, fixtures: NoInfer<Fixtures<DB>>): Promise<SeedResult> {
  const given = Object.entries(fixtures as Record<string, ReadonlyArray<Record<string, unknown>> | undefined>).filter(([, rows]) => rows !== undefined);
  const names = new Set(given.map(([name]) => name));
  let order: string[];
  try {
    for (const name of names) if (schema.table(name) === undefined) throw new SeedError(`seed: unknown table "${name}"`, { table: name });
    order = schema.creationOrder().filter((name) => names.has(name));
  } catch (error) {
    const seedError = error instanceof SeedError ? error : new SeedError(`seed: ${(error as Error).message}`, { table: [...names][0] ?? "" }, { cause: error });
    return failure(seedError, [...names], seedError.table, new Map());
  }

  const planned = new Map<string, PlannedRow[]>();
  for (const name of order) {
    const rows = (fixtures as Record<string, ReadonlyArray<Record<string, unknown>>>)[name]!;
    try {
      planned.set(name, rows.map((row, index) => planRow(schema.table(name)!, row, index)));
    } catch (error) {
      return failure(error as SeedError, order, name, new Map());
    }
  }

  const counts = new Map<string, Counts>();
  let failedTable: string | undefined;
  const work = async (db: Kysely<any>) => {
    for (const name of order) {
      failedTable = name;
      const table = schema.table(name)!;
      const tally: Counts = { inserted: 0, updated: 0, unchanged: 0 };
      counts.set(name, tally);
      for (const row of planned.get(name)!) await seedRow(db, table, row, tally);
    }
    failedTable = undefined;
  };

  try {
    if ("backend" in target) {
      const engine = target as Engine<any>;
      const plugin = hasSchemaPlugin(engine.db) ? undefined : new SchemaPlugin(schema, engine.backend.typeMapping);
      await engine.db.transaction().execute((trx) => work(plugin === undefined ? trx : trx.withPlugin(plugin)));
    } else {
      await (target as SeedSessions<any>).run(async (db) => {
        if (!hasSchemaPlugin(db)) throw new SeedError("seed: sessions must come from an engine created with the schema option (createEngine(url, { schema }))", { table: order[0] ?? "" });
        await work(db);
      });
    }
  } catch (error) {
    const seedError = error instanceof SeedError ? error : new SeedError(`seed: table "${failedTable}": ${(error as Error).message}`, { table: failedTable ?? "" }, { cause: error });
    return failure(seedError, order, seedError.table, counts);
  }
  return { ok: true, tables: order.map((name) => ({ table: name, status: "seeded", ...counts.get(name)! })) };
}

function planRow(table: TableDefinition, row: Record<string, unknown>, index: number): PlannedRow {
  const where = (column?: string) => ({ table: table.name, row: index, column });
  const prefix = (column?: string) => `seed: table "${table.name}" row ${index}${column === undefined ? "" : ` column "${column}"`}`;
  const columns = new Map(table.columns.map((column) => [column.name, column.definition]));
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value === undefined) continue;
    const column = columns.get(name);
    if (column === undefined) throw new SeedError(`${prefix(name)}: no such column (columns: ${[...columns.keys()].join(", ")})`, where(name));
    if (value === null) {
      if (column.notNull) throw new SeedError(`${prefix(name)}: is NOT NULL, got null`, where(name));
    } else {
      const problem = checkFixtureValue(column.type, value);
      if (problem !== undefined) throw new SeedError(`${prefix(name)}: ${problem}`, where(name));
    }
    values[name] = column.type.kind === "timestamp" && typeof value === "string" ? new Date(value) : value;
  }
  for (const [name, column] of columns) {
    if (column.notNull && column.default === undefined && !column.identity && !(name in values)) {
      throw new SeedError(`${prefix(name)}: a value is required (NOT NULL without a default)`, where(name));
    }
  }
  const candidates = [table.primaryKey?.columns ?? [], ...table.uniques.map((unique) => unique.columns)].filter((key) => key.length > 0);
  const key = candidates.find((columnNames) => columnNames.every((name) => values[name] !== undefined && values[name] !== null));
  if (key === undefined) {
    throw new SeedError(`${prefix()}: gives no primary-key or unique-key values, so it cannot be seeded idempotently`, where());
  }
  return { index, values, key };
}

async function seedRow(db: Kysely<any>, table: TableDefinition, row: PlannedRow, tally: Counts): Promise<void> {
  const columns = new Map(table.columns.map((column) => [column.name, column.definition]));
  try {
    const find = async () => {
      let query = db.selectFrom(table.name).selectAll();
      for (const name of row.key) query = query.where(name, "=", encodeKey(columns.get(name)!, row.values[name]));
      return (await query.executeTakeFirst()) as Record<string, unknown> | undefined;
    };
    let existing = await find();
    if (existing === undefined) {
      // Another seeder may insert the same row between the select and this insert (on
      // PostgreSQL the insert then waits for it to commit): its row counts as found.
      const { numInsertedOrUpdatedRows } = await db
        .insertInto(table.name)
        .values(row.values)
        .onConflict((conflict) => conflict.columns([...row.key]).doNothing())
        .executeTakeFirst();
      if (numInsertedOrUpdatedRows !== 0n) {
        tally.inserted++;
        return;
      }
      existing = await find();
      if (existing === undefined) throw new Error("the row was inserted by a concurrent transaction that this one cannot see (isolation above read committed); run seed again");
    }
    const changed = Object.fromEntries(Object.entries(row.values).filter(([name, value]) => !row.key.includes(name) && !sameValue(columns.get(name)!.type, value, existing[name])));
    if (Object.keys(changed).length === 0) {
      tally.unchanged++;
      return;
    }
    let update = db.updateTable(table.name).set(changed);
    for (const name of row.key) update = update.where(name, "=", encodeKey(columns.get(name)!, row.values[name]));
    await update.execute();
    tally.updated++;
  } catch (error) {
    const column = error instanceof ConstraintViolationError ? error.column : undefined;
    const reason = error instanceof AthanorError ? `${error.code}: ${error.message}` : (error as Error).message;
    throw new SeedError(`seed: table "${table.name}" row ${row.index}${column === undefined ? "" : ` column "${column}"`}: ${reason}`, { table: table.name, row: row.index, column }, { cause: error });
  }
}

// Key values go into WHERE clauses, which the schema plugin does not encode.
function encodeKey(column: ColumnDefinition, value: unknown): unknown {
  return column.type.kind === "uuid" && typeof value === "string" ? value.toLowerCase() : value;
}

function hasSchemaPlugin(db: Kysely<any>): boolean {
  return db.getExecutor().plugins.some((plugin) => plugin instanceof SchemaPlugin);
}

function failure(error: SeedError, order: readonly string[], failed: string, counts: ReadonlyMap<string, Counts>): SeedResult {
  const failedAt = order.indexOf(failed);
  const tables = order.map((table, i): SeedTableResult => {
    const tally = counts.get(table) ?? { inserted: 0, updated: 0, unchanged: 0 };
    const status = table === failed ? "failed" : failedAt >= 0 && i < failedAt && counts.has(table) ? "rolled back" : "not run";
    return { table, status, ...tally };
  });
  return { ok: false, tables, error };
}
