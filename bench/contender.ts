export type BenchDialect = "postgres" | "sqlite";

/** The database a contender connects to, prepared by the fixture of its dialect. */
export interface BenchTarget {
  readonly dialect: BenchDialect;
  /** `postgres://…` for PostgreSQL, the file path for SQLite. */
  readonly location: string;
  /** Rows in `bench_items`, ids 1…rows. */
  readonly rows: number;
  /** Connections every pooled contender may open (the "pool of 10"). */
  readonly poolSize: number;
}

/** A contender connected to its target: one method per scenario it takes part in. */
export interface ContenderInstance {
  /** `select id, name, counter from bench_items where id = ?` → the row. */
  pointSelect?(id: number): unknown;
  /** `BEGIN; UPDATE bench_items … where id = ?; INSERT INTO bench_events …; COMMIT`. */
  writeTransaction?(id: number): unknown;
  /** The point select inside a transaction: `BEGIN; select …; COMMIT` (a session doing one read). */
  transactionalSelect?(id: number): unknown;
  /** The 100-row join: items `from`…`from + 99` with their group's label (`joinStart(id, rows)`). */
  join?(id: number): unknown;
  /** `BULK_ROWS` rows into `bench_events` in one transaction, with the best multi-row INSERTs the contender has. */
  bulkInsert?(id: number): unknown;
  close(): Promise<void>;
}

/**
 * One way of talking to a database, benchmarked against the others.
 *
 * @example
 * ```ts
 * export const rawPg: Contender = {
 *   name: "raw pg",
 *   dialect: "postgres",
 *   baseline: true,
 *   async open(target) {
 *     const pool = new pg.Pool({ connectionString: target.location, max: target.poolSize });
 *     return { pointSelect: (id) => pool.query(SELECT, [id]), close: () => pool.end() };
 *   },
 * };
 * ```
 */
export interface Contender {
  /** Shown in the table, unique per dialect. */
  readonly name: string;
  readonly dialect: BenchDialect;
  /** The raw driver: every ratio in its dialect is relative to it (exactly one per dialect). */
  readonly baseline?: boolean;
  /** Bare Kysely: the "× Kysely" column is relative to it (at most one per dialect). */
  readonly kysely?: boolean;
  open(target: BenchTarget): Promise<ContenderInstance>;
}
