import type { Insertable, Kysely } from "kysely";
import type { Engine } from "../engine/engine.js";
import { AthanorError, ConstraintViolationError, SeedError } from "../errors.js";
import type { ColumnDefinition } from "../schema/column.js";
import type { Schema } from "../schema/define-schema.js";
import { SchemaPlugin } from "../schema/schema-plugin.js";
import type { TableDefinition } from "../schema/table-definition.js";
import { checkFixtureValue } from "./check-fixture-value.js";
import { isFixtureRef, type FixtureRef } from "./fixture-ref.js";
import { sameValue } from "./same-value.js";
import type { SeedResult, SeedTableResult } from "./seed-result.js";

/** One fixture row: the table's insertable values, any of them a {@link ref} to another fixture row. */
export type FixtureRow<R> = { readonly [K in keyof Insertable<R>]: Insertable<R>[K] | FixtureRef };

/**
 * Rows to seed, per table name, typed by the schema's database interface: a list, or an
 * object whose keys name the rows for {@link ref} (`users: { ada: { … } }`).
 */
export type Fixtures<DB> = {
  readonly [T in keyof DB & string]?: ReadonlyArray<FixtureRow<DB[T]>> | { readonly [name: string]: FixtureRow<DB[T]> };
};

/** A session factory (`createSessionFactory(engine)`): seeding runs in one `run()`. */
export interface SeedSessions<DB> {
  readonly engine: Engine<DB>;
  run<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T>;
}

interface PlannedRow {
  readonly index: number;
  /** The row's fixture-local name, when its table's fixtures are an object. */
  readonly name: string | undefined;
  readonly values: Record<string, unknown>;
  /** Columns whose value is another row's column, read once that row is seeded. */
  readonly refs: ReadonlyArray<{ readonly column: string; readonly table: string; readonly name: string; readonly targetColumn: string }>;
  readonly key: readonly string[];
}

/** Seeded rows that other rows refer to, as read back: table → name → row. */
type SeededRows = Map<string, Map<string, Record<string, unknown>>>;

type Counts = { inserted: number; updated: number; unchanged: number };

/**
 * Seeds fixtures: tables in foreign-key order, all in one transaction (all or nothing),
 * idempotently — each row is matched by its primary key, or else by a unique key whose
 * values it gives (a natural key such as an email); a matching row that differs is updated,
 * an equal one left alone, so a second run changes nothing. A row may leave out a key the
 * database generates (`defaultRandom()`, `identity()`) when it gives a unique key instead.
 * Rows refer to each other without spelled-out keys: give a table's rows as an object whose
 * keys name them, and write `ref("users", "ada")` where a child needs the generated id of
 * the `users` row named `ada`. Concurrent seeders of the same fixtures all succeed: a row
 * another one inserted meanwhile is found, not a unique violation (`ON CONFLICT DO NOTHING`
 * on the matching key). Fixtures are checked before anything is written: an unknown column,
 * a value of the wrong type, a missing required value or a `ref` to no row fails naming the
 * table, row and column. Never throws for bad data: returns a {@link SeedResult}.
 *
 * @example
 * ```ts
 * const result = await seed(sessions, schema, {
 *   users: { admin: { email: "admin@example.com", name: "Admin" } },
 *   agents: [{ ownerId: ref("users", "admin"), name: "nightly", schedule: "0 3 * * *" }],
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
  const named = new Map<string, Set<string>>();
  for (const name of order) {
    try {
      const rows = fixtureEntries(name, (fixtures as Record<string, unknown>)[name]);
      const table = schema.table(name)!;
      const plans: PlannedRow[] = [];
      for (const [index, [rowName, row]] of rows.entries()) {
        plans.push(planRow(schema, table, row, index, rowName, named));
        if (rowName !== undefined) (named.get(name) ?? named.set(name, new Set()).get(name)!).add(rowName);
      }
      planned.set(name, plans);
    } catch (error) {
      return failure(error as SeedError, order, name, new Map());
    }
  }
  const referenced = new Set([...planned.values()].flat().flatMap((row) => row.refs.map((entry) => `${entry.table}\u0000${entry.name}`)));

  const counts = new Map<string, Counts>();
  let failedTable: string | undefined;
  const work = async (db: Kysely<any>) => {
    const seeded: SeededRows = new Map();
    for (const name of order) {
      failedTable = name;
      const table = schema.table(name)!;
      const tally: Counts = { inserted: 0, updated: 0, unchanged: 0 };
      counts.set(name, tally);
      for (const row of planned.get(name)!) {
        const keep = row.name !== undefined && referenced.has(`${name}\u0000${row.name}`);
        const stored = await seedRow(db, table, row, tally, seeded, keep);
        if (keep) (seeded.get(name) ?? seeded.set(name, new Map()).get(name)!).set(row.name!, stored!);
      }
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

/** A table's fixtures as [name, row] pairs in order: a list has no names, an object's keys are its rows' names. */
function fixtureEntries(table: string, rows: unknown): Array<[string | undefined, Record<string, unknown>]> {
  const entries: Array<[string | undefined, unknown]> = Array.isArray(rows) ? rows.map((row) => [undefined, row]) : typeof rows === "object" && rows !== null ? Object.entries(rows) : [];
  if (!Array.isArray(rows) && (typeof rows !== "object" || rows === null)) {
    throw new SeedError(`seed: table "${table}": expected a list of rows or an object of named rows`, { table });
  }
  entries.forEach(([name, row], index) => {
    if (typeof row !== "object" || row === null || Array.isArray(row) || isFixtureRef(row)) {
      throw new SeedError(`seed: table "${table}" ${label(index, name)}: expected an object of column values`, { table, row: index, fixture: name });
    }
  });
  return entries as Array<[string | undefined, Record<string, unknown>]>;
}

function label(index: number, name: string | undefined): string {
  return name === undefined ? `row ${index}` : `row ${index} ("${name}")`;
}

function planRow(schema: Schema, table: TableDefinition, row: Record<string, unknown>, index: number, rowName: string | undefined, named: ReadonlyMap<string, ReadonlySet<string>>): PlannedRow {
  const where = (column?: string) => ({ table: table.name, row: index, column, fixture: rowName });
  const prefix = (column?: string) => `seed: table "${table.name}" ${label(index, rowName)}${column === undefined ? "" : ` column "${column}"`}`;
  const columns = new Map(table.columns.map((column) => [column.name, column.definition]));
  const values: Record<string, unknown> = {};
  const refs: Array<PlannedRow["refs"][number]> = [];
  for (const [name, value] of Object.entries(row)) {
    if (value === undefined) continue;
    const column = columns.get(name);
    if (column === undefined) throw new SeedError(`${prefix(name)}: no such column (columns: ${[...columns.keys()].join(", ")})`, where(name));
    if (isFixtureRef(value)) {
      refs.push({ column: name, table: value.table, name: value.name, targetColumn: refTarget(schema, table, name, value, named, (problem) => new SeedError(`${prefix(name)}: ${problem}`, where(name))) });
      continue;
    }
    if (value === null) {
      if (column.notNull) throw new SeedError(`${prefix(name)}: is NOT NULL, got null`, where(name));
    } else {
      const problem = checkFixtureValue(column.type, value);
      if (problem !== undefined) throw new SeedError(`${prefix(name)}: ${problem}`, where(name));
    }
    values[name] = column.type.kind === "timestamp" && typeof value === "string" ? new Date(value) : value;
  }
  const given = (name: string) => (values[name] !== undefined && values[name] !== null) || refs.some((entry) => entry.column === name);
  for (const [name, column] of columns) {
    if (column.notNull && column.default === undefined && !column.identity && !given(name)) {
      throw new SeedError(`${prefix(name)}: a value is required (NOT NULL without a default)`, where(name));
    }
  }
  const candidates = [table.primaryKey?.columns ?? [], ...table.uniques.map((unique) => unique.columns), ...table.indexes.filter((index) => index.unique).map((index) => index.columns)].filter(
    (key) => key.length > 0,
  );
  const key = candidates.find((columnNames) => columnNames.every(given));
  if (key === undefined) {
    const keys = candidates.map((columnNames) => `(${columnNames.join(", ")})`).join(" or ");
    throw new SeedError(`${prefix()}: gives no primary-key or unique-key values, so it cannot be seeded idempotently; give ${keys || "a key (the table declares none)"}`, where());
  }
  return { index, name: rowName, values, refs, key };
}

/** The column a `ref` reads: the one named, else the one the foreign key points to, else the referenced table's primary key. */
function refTarget(schema: Schema, table: TableDefinition, column: string, value: FixtureRef, named: ReadonlyMap<string, ReadonlySet<string>>, fail: (problem: string) => SeedError): string {
  const shown = `ref(${JSON.stringify(value.table)}, ${JSON.stringify(value.name)}${value.column === undefined ? "" : `, ${JSON.stringify(value.column)}`})`;
  const target = schema.table(value.table);
  if (target === undefined) throw fail(`${shown}: the schema has no table "${value.table}"`);
  if (!named.get(value.table)?.has(value.name)) {
    const names = [...(named.get(value.table) ?? [])];
    throw fail(
      `${shown}: no row named "${value.name}" is seeded before this one` +
        (names.length > 0 ? ` (named rows of "${value.table}": ${names.join(", ")})` : `; give "${value.table}" as an object of named rows, seeded before "${table.name}"`),
    );
  }
  if (value.column !== undefined) {
    if (!target.columns.some((entry) => entry.name === value.column)) throw fail(`${shown}: table "${value.table}" has no column "${value.column}"`);
    return value.column;
  }
  const foreignKey = table.foreignKeys.find((entry) => entry.columns.length === 1 && entry.columns[0] === column && entry.target().table === value.table);
  if (foreignKey !== undefined) return foreignKey.target().columns[0]!;
  const primaryKey = target.primaryKey?.columns ?? [];
  if (primaryKey.length === 1) return primaryKey[0]!;
  throw fail(`${shown}: "${column}" is no foreign key to "${value.table}" and that table has no single-column primary key: name the column, ref("${value.table}", "${value.name}", "<column>")`);
}

/** Seeds one row; returns it as stored when `keep` (another row refers to it). */
async function seedRow(db: Kysely<any>, table: TableDefinition, row: PlannedRow, tally: Counts, seeded: SeededRows, keep: boolean): Promise<Record<string, unknown> | undefined> {
  const columns = new Map(table.columns.map((column) => [column.name, column.definition]));
  const values: Record<string, unknown> = { ...row.values };
  try {
    for (const entry of row.refs) {
      const value = seeded.get(entry.table)?.get(entry.name)?.[entry.targetColumn];
      if (value === undefined || value === null) throw new Error(`ref("${entry.table}", "${entry.name}") has no "${entry.targetColumn}" value`);
      values[entry.column] = value;
    }
    const find = async () => {
      let query = db.selectFrom(table.name).selectAll();
      for (const name of row.key) query = query.where(name, "=", encodeKey(columns.get(name)!, values[name]));
      return (await query.executeTakeFirst()) as Record<string, unknown> | undefined;
    };
    let existing = await find();
    if (existing === undefined) {
      // Another seeder may insert the same row between the select and this insert (on
      // PostgreSQL the insert then waits for it to commit): its row counts as found.
      const { numInsertedOrUpdatedRows } = await db
        .insertInto(table.name)
        .values(values)
        .onConflict((conflict) => conflict.columns([...row.key]).doNothing())
        .executeTakeFirst();
      if (numInsertedOrUpdatedRows !== 0n) {
        tally.inserted++;
        // What the database generated (a defaultRandom() id) is read back for the rows that refer to this one.
        return keep ? await find() : undefined;
      }
      existing = await find();
      if (existing === undefined) throw new Error("the row was inserted by a concurrent transaction that this one cannot see (isolation above read committed); run seed again");
    }
    const found = existing;
    const changed = Object.fromEntries(Object.entries(values).filter(([name, value]) => !row.key.includes(name) && !sameValue(columns.get(name)!.type, value, found[name])));
    if (Object.keys(changed).length === 0) {
      tally.unchanged++;
      return found;
    }
    let update = db.updateTable(table.name).set(changed);
    for (const name of row.key) update = update.where(name, "=", encodeKey(columns.get(name)!, values[name]));
    await update.execute();
    tally.updated++;
    return keep ? await find() : undefined;
  } catch (error) {
    const column = error instanceof ConstraintViolationError ? error.column : undefined;
    const reason = error instanceof AthanorError ? `${error.code}: ${error.message}` : (error as Error).message;
    throw new SeedError(`seed: table "${table.name}" ${label(row.index, row.name)}${column === undefined ? "" : ` column "${column}"`}: ${reason}`, { table: table.name, row: row.index, column, fixture: row.name }, { cause: error });
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
