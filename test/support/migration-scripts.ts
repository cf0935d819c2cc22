import type { RevisionScript } from "../../src/migrate/revision-script.js";

/**
 * In-memory revisions `m1 ← m2 ← …`, each creating table `<prefix>_<n>` and logging itself in
 * `<prefix>_log` (a revision applied twice logs twice). `fail` names a revision whose up()
 * throws after creating its table; `outside` one that runs outside a transaction; `holdMillis`
 * keeps the first revision working that long (so racing migrators really do overlap).
 */
export function loggingScripts(prefix: string, count: number, options: { fail?: string; outside?: string; holdMillis?: number } = {}): RevisionScript[] {
  return Array.from({ length: count }, (_, i) => {
    const revision = `m${i + 1}`;
    return {
      revision,
      downRevision: i === 0 ? null : `m${i}`,
      message: `${prefix} ${i + 1}`,
      path: `${revision}.ts`,
      checksum: `${prefix}-${revision}`,
      transactional: options.outside !== revision,
      async up(op) {
        if (i === 0) await op.db.schema.createTable(`${prefix}_log`).addColumn("revision", "varchar(16)").execute();
        if (i === 0 && options.holdMillis !== undefined) await new Promise((resolve) => setTimeout(resolve, options.holdMillis));
        await op.db.schema.createTable(`${prefix}_${i + 1}`).addColumn("id", "integer").execute();
        await op.db.insertInto(`${prefix}_log`).values({ revision }).execute();
        if (options.fail === revision) throw new Error(`${revision} fails on purpose`);
      },
      async down(op) {
        await op.db.schema.dropTable(`${prefix}_${i + 1}`).execute();
        await op.db.deleteFrom(`${prefix}_log`).where("revision", "=", revision).execute();
        if (i === 0) await op.db.schema.dropTable(`${prefix}_log`).execute();
      },
    } satisfies RevisionScript;
  });
}
