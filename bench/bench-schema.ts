import type { Generated, Kysely } from "kysely";

/** The Kysely view of the bench tables (both dialects). */
export interface BenchDatabase {
  bench_items: { id: number; name: string; counter: number; group_id: number };
  bench_groups: { id: number; label: string };
  bench_events: { id: Generated<number>; item_id: number; amount: number };
}

/** Groups in `bench_groups`; item `id` belongs to group `id % GROUPS + 1`. */
export const GROUPS = 100;

/** Rows the join returns: items `from`…`from + JOIN_ROWS - 1` with their group. */
export const JOIN_ROWS = 100;

/** What Kysely compiles the queries below to; raw contenders run the same text. */
export const SQL = {
  postgres: {
    pointSelect: 'select "id", "name", "counter" from "bench_items" where "id" = $1',
    update: 'update "bench_items" set "counter" = "counter" + $1 where "id" = $2',
    insert: 'insert into "bench_events" ("item_id", "amount") values ($1, $2)',
    join: 'select "i"."id", "i"."name", "i"."counter", "g"."label" from "bench_items" as "i" inner join "bench_groups" as "g" on "g"."id" = "i"."group_id" where "i"."id" >= $1 and "i"."id" < $2',
  },
  sqlite: {
    pointSelect: 'select "id", "name", "counter" from "bench_items" where "id" = ?',
    update: 'update "bench_items" set "counter" = "counter" + ? where "id" = ?',
    insert: 'insert into "bench_events" ("item_id", "amount") values (?, ?)',
    join: 'select "i"."id", "i"."name", "i"."counter", "g"."label" from "bench_items" as "i" inner join "bench_groups" as "g" on "g"."id" = "i"."group_id" where "i"."id" >= ? and "i"."id" < ?',
  },
} as const;

/** Rows per bulk insert. */
export const BULK_ROWS = 10_000;

/** A bulk insert's row: what every contender inserts. */
export interface BulkRow {
  item_id: number;
  amount: number;
}

/** Different row sets the bulk scenario cycles through (`item_id` varies, so runs differ). */
const BULK_SETS = 8;
const bulkSets: BulkRow[][] = [];

/**
 * The 10,000 rows of one bulk insert, the same objects for every contender. They are made
 * once, before any clock starts: data to insert arrives as objects (parsed from a request, a
 * file, another query), and making them is nobody's driver cost. The raw drivers flatten
 * them into parameters inside the measured operation, as their users must.
 */
export function bulkRows(id: number): readonly BulkRow[] {
  const set = id % BULK_SETS;
  return (bulkSets[set] ??= Array.from({ length: BULK_ROWS }, (_, index) => ({ item_id: set + 1, amount: index })));
}

/** A multi-row INSERT of `rows` rows, as a raw driver user writes it: `values ($1, $2), ($3, $4), …` (or `?`). */
export function multiRowInsert(dialect: "postgres" | "sqlite", rows: number): string {
  const tuples = Array.from({ length: rows }, (_, index) => (dialect === "postgres" ? `($${2 * index + 1}, $${2 * index + 2})` : "(?, ?)"));
  return `insert into "bench_events" ("item_id", "amount") values ${tuples.join(", ")}`;
}

/** The flat parameter list of rows `from`…`to` of a bulk insert, as a raw driver user builds it. */
export function bulkParameters(rows: readonly BulkRow[], from: number, to: number): number[] {
  const values: number[] = [];
  for (let index = from; index < to; index++) {
    const row = rows[index]!;
    values.push(row.item_id, row.amount);
  }
  return values;
}

/** The point select, for every Kysely-based contender (engines, sessions, bare Kysely). */
export function selectItem(db: Kysely<BenchDatabase>, id: number): Promise<unknown> {
  return db.selectFrom("bench_items").select(["id", "name", "counter"]).where("id", "=", id).executeTakeFirst();
}

/** The first item of the join that call `id` makes: `JOIN_ROWS` items always exist from there. */
export function joinStart(id: number, rows: number): number {
  return Math.max(1, Math.min(id, rows - JOIN_ROWS + 1));
}

/** The 100-row join (items with their group), for every Kysely-based contender. */
export function joinItems(db: Kysely<BenchDatabase>, from: number): Promise<unknown[]> {
  return db
    .selectFrom("bench_items as i")
    .innerJoin("bench_groups as g", "g.id", "i.group_id")
    .select(["i.id", "i.name", "i.counter", "g.label"])
    .where("i.id", ">=", from)
    .where("i.id", "<", from + JOIN_ROWS)
    .execute();
}

/** The body of the write transaction, run inside whatever transaction the contender opens. */
export async function writeItem(db: Kysely<BenchDatabase>, id: number): Promise<void> {
  await db.updateTable("bench_items").set((eb) => ({ counter: eb("counter", "+", 1) })).where("id", "=", id).execute();
  await db.insertInto("bench_events").values({ item_id: id, amount: 1 }).execute();
}
