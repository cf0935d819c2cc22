import type { Kysely } from "kysely";

/** Default name of the table recording applied revisions. */
export const DEFAULT_VERSION_TABLE = "athanor_revisions";

/** One row of the version table. */
export interface AppliedRevision {
  readonly revision: string;
  readonly message: string | null;
  readonly checksum: string;
  /** `applied`, or `running` while (or after a crash during) a non-transactional revision. */
  readonly state: "applied" | "running";
  readonly appliedAt: string;
  readonly durationMillis: number;
  readonly path: string | null;
}

interface VersionRow {
  revision: string;
  message: string | null;
  checksum: string;
  state: string;
  applied_at: string;
  duration_millis: number | string;
  path: string | null;
}

/**
 * The version table: one row per applied revision, with its checksum, when it was applied
 * and how long it took. Current heads are derived from it with the revision graph.
 */
export class VersionTable {
  readonly name: string;

  constructor(name: string = DEFAULT_VERSION_TABLE) {
    this.name = name;
  }

  async ensure(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable(this.name)
      .ifNotExists()
      .addColumn("revision", "varchar(255)", (column) => column.primaryKey())
      .addColumn("message", "text")
      .addColumn("checksum", "varchar(64)", (column) => column.notNull())
      .addColumn("state", "varchar(16)", (column) => column.notNull())
      .addColumn("applied_at", "varchar(32)", (column) => column.notNull())
      .addColumn("duration_millis", "integer", (column) => column.notNull())
      .addColumn("path", "text")
      .execute();
  }

  async exists(db: Kysely<any>): Promise<boolean> {
    const tables = await db.introspection.getTables();
    return tables.some((table) => table.name === this.name);
  }

  async read(db: Kysely<any>): Promise<AppliedRevision[]> {
    const rows = (await db.selectFrom(this.name).selectAll().orderBy("applied_at").orderBy("revision").execute()) as VersionRow[];
    return rows.map((row) => ({
      revision: row.revision,
      message: row.message,
      checksum: row.checksum,
      state: row.state === "applied" ? "applied" : "running",
      appliedAt: row.applied_at,
      durationMillis: Number(row.duration_millis),
      path: row.path,
    }));
  }

  async insert(db: Kysely<any>, row: AppliedRevision): Promise<void> {
    await db
      .insertInto(this.name)
      .values({
        revision: row.revision,
        message: row.message,
        checksum: row.checksum,
        state: row.state,
        applied_at: row.appliedAt,
        duration_millis: Math.round(row.durationMillis),
        path: row.path,
      })
      .execute();
  }

  async markApplied(db: Kysely<any>, revision: string, durationMillis: number): Promise<void> {
    await db.updateTable(this.name).set({ state: "applied", duration_millis: Math.round(durationMillis) }).where("revision", "=", revision).execute();
  }

  async delete(db: Kysely<any>, revision: string): Promise<void> {
    await db.deleteFrom(this.name).where("revision", "=", revision).execute();
  }
}
