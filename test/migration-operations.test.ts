import { sql } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { schemaEditorFor } from "../src/backends/schema-editor-for.js";
import { createEngine } from "../src/engine/create-engine.js";
import type { Engine } from "../src/engine/engine.js";
import { OfflineRebuildError } from "../src/errors.js";
import { createMigrationOperations, type MigrationOperations } from "../src/migrate/migration-operations.js";
import { invertOperation } from "../src/migrate/operations/invert-operation.js";
import type { Operation } from "../src/migrate/operations/operation.js";
import { renderMigrationSql } from "../src/migrate/render-migration-sql.js";
import type { RevisionScript } from "../src/migrate/revision-script.js";
import { introspectSchema, text, uuid, type SchemaModel, type TableModel } from "../src/schema/index.js";
import { describeEachDialect } from "./support/each-dialect.js";

const USER_1 = "00000000-0000-4000-8000-000000000001";
const USER_2 = "00000000-0000-4000-8000-000000000002";

/** Runs `work` the way the migrator runs a revision. */
async function revision(engine: Engine, work: (op: MigrationOperations) => Promise<void>): Promise<void> {
  await schemaEditorFor(engine.dialect).transaction(engine.db, (trx) => work(createMigrationOperations(engine.dialect, trx)));
}

function tableOf(model: SchemaModel, name: string): TableModel {
  const found = model.tables.find((table) => table.name === name);
  if (found === undefined) throw new Error(`no table ${name} in ${model.tables.map((t) => t.name).join(", ")}`);
  return found;
}

const column = (name: string, type: TableModel["columns"][number]["type"], extra: Partial<TableModel["columns"][number]> = {}) => ({ name, type, nullable: true, default: undefined, identity: false, ...extra });

describeEachDialect(
  "portable migration operations",
  (dialect) => {
    let engine: Engine;
    beforeEach(async () => {
      engine = createEngine(dialect.url());
      await revision(engine, async (op) => {
        await op.createTable("op_users", {
          columns: { id: uuid().primaryKey(), email: text().notNull().unique(), name: text() },
        });
        await op.createTable("op_agents", {
          columns: [
            { name: "id", type: "uuid", nullable: false },
            { name: "ownerId", type: "uuid", nullable: false },
            { name: "title", type: "text", nullable: false },
            { name: "priority", type: "integer", default: { value: 1 } },
          ],
          primaryKey: ["id"],
          indexes: [{ name: "ix_op_agents_title", columns: ["title"] }],
        });
        await op.bulkInsert("op_users", [
          { id: USER_1, email: "a@example.com", name: "Ann" },
          { id: USER_2, email: "b@example.com", name: null },
        ]);
        await op.bulkInsert("op_agents", [
          { id: "00000000-0000-4000-8000-0000000000a1", ownerId: USER_1, title: "first", priority: 3 },
          { id: "00000000-0000-4000-8000-0000000000a2", ownerId: USER_2, title: "second", priority: 7 },
        ]);
      });
    });
    afterEach(async () => {
      await engine.db.schema.dropTable("op_agents").ifExists().execute();
      await engine.db.schema.dropTable("op_agents_renamed").ifExists().execute();
      await engine.db.schema.dropTable("op_extra").ifExists().execute();
      await engine.db.schema.dropTable("op_users").ifExists().execute();
      await engine.dispose();
    });

    const rows = async (table: string) => (await engine.db.selectFrom(table).selectAll().orderBy("id").execute()).map((row) => ({ ...row }));
    const live = () => introspectSchema(engine);

    /** Applies `operation`, checks its effect, applies its inverse, and checks schema and rows are back. */
    async function roundTrip(operation: Operation, effect: (after: SchemaModel) => void | Promise<void>): Promise<void> {
      const before = await live();
      const usersBefore = await rows("op_users");
      const agentsBefore = await rows("op_agents");
      await revision(engine, (op) => op.apply(operation));
      await effect(await live());
      const inverse = invertOperation(operation);
      expect(inverse, `${operation.kind} has an inverse`).toBeDefined();
      await revision(engine, (op) => op.apply(inverse!));
      expect(await live()).toEqual(before);
      expect(await rows("op_users")).toEqual(usersBefore);
      expect(await rows("op_agents")).toEqual(agentsBefore);
    }

    it("creates tables as declared (column builders and column objects agree with introspection)", async () => {
      const agents = tableOf(await live(), "op_agents");
      expect(agents.columns.map((c) => [c.name, c.type.kind, c.nullable])).toEqual([
        ["id", "uuid", false],
        ["ownerId", "uuid", false],
        ["title", "text", false],
        ["priority", "integer", true],
      ]);
      expect(agents.columns[3]!.default).toEqual({ kind: "value", value: 1 });
      expect(agents.indexes).toEqual([{ name: "ix_op_agents_title", columns: ["title"], unique: false }]);
      expect(tableOf(await live(), "op_users").uniques).toEqual([["email"]]);
    });

    it("addColumn / dropColumn (nullable, NOT NULL with a default, an enum)", async () => {
      await roundTrip({ kind: "addColumn", table: "op_agents", column: column("schedule", { kind: "text" }) }, (after) => {
        expect(tableOf(after, "op_agents").columns.at(-1)).toEqual(column("schedule", { kind: "text" }));
      });
      const active = column("active", { kind: "boolean" }, { nullable: false, default: { kind: "value", value: true } });
      await roundTrip({ kind: "addColumn", table: "op_agents", column: active }, async (after) => {
        expect(tableOf(after, "op_agents").columns.at(-1)).toEqual(active);
        expect((await rows("op_agents")).map((row) => Boolean(row.active))).toEqual([true, true]);
      });
      const status = column("status", { kind: "enum", values: ["idle", "running"] }, { nullable: false, default: { kind: "value", value: "idle" } });
      await roundTrip({ kind: "addColumn", table: "op_agents", column: status }, async (after) => {
        expect(tableOf(after, "op_agents").columns.at(-1)).toEqual(status);
        expect((await rows("op_agents")).map((row) => row.status)).toEqual(["idle", "idle"]);
        await expect(engine.db.updateTable("op_agents").set({ status: "flying" }).execute()).rejects.toThrow();
      });
    });

    it("dropColumn of an indexed column drops its index too; the column comes back", async () => {
      await revision(engine, (op) => op.dropColumn("op_agents", "title"));
      const after = tableOf(await live(), "op_agents");
      expect(after.columns.map((c) => c.name)).toEqual(["id", "ownerId", "priority"]);
      expect(after.indexes).toEqual([]);
      expect((await rows("op_agents")).map((row) => row.priority)).toEqual([3, 7]);
    });

    it("alterColumn: nullability, type and default, each reverted", async () => {
      await roundTrip({ kind: "alterColumn", table: "op_agents", name: "title", changes: { nullable: true }, previous: { nullable: false } }, async (after) => {
        expect(tableOf(after, "op_agents").columns[2]!.nullable).toBe(true);
        await engine.db.updateTable("op_agents").set({ title: null }).where("priority", "=", -1).execute();
      });
      await roundTrip({ kind: "alterColumn", table: "op_agents", name: "priority", changes: { type: { kind: "bigint" } }, previous: { type: { kind: "integer" } } }, async (after) => {
        expect(tableOf(after, "op_agents").columns[3]!.type).toEqual({ kind: "bigint" });
        expect((await rows("op_agents")).map((row) => Number(row.priority))).toEqual([3, 7]);
      });
      await roundTrip(
        { kind: "alterColumn", table: "op_agents", name: "priority", changes: { default: { kind: "value", value: 5 } }, previous: { default: { kind: "value", value: 1 } } },
        (after) => expect(tableOf(after, "op_agents").columns[3]!.default).toEqual({ kind: "value", value: 5 }),
      );
      await roundTrip(
        { kind: "alterColumn", table: "op_agents", name: "priority", changes: { default: null }, previous: { default: { kind: "value", value: 1 } } },
        (after) => expect(tableOf(after, "op_agents").columns[3]!.default).toBeUndefined(),
      );
    });

    it("alterColumn NOT NULL over existing NULLs fails and rolls back on both dialects", async () => {
      const before = await live();
      await expect(revision(engine, (op) => op.alterColumn("op_users", "name", { nullable: false }))).rejects.toThrow();
      expect(await live()).toEqual(before);
      expect((await rows("op_users")).map((row) => row.name)).toEqual(["Ann", null]);
    });

    it("renameColumn and renameTable", async () => {
      await roundTrip({ kind: "renameColumn", table: "op_agents", from: "title", to: "label" }, (after) => {
        expect(tableOf(after, "op_agents").columns.map((c) => c.name)).toContain("label");
      });
      const before = await live();
      await revision(engine, (op) => op.apply({ kind: "renameTable", from: "op_agents", to: "op_agents_renamed" }));
      expect((await live()).tables.map((t) => t.name)).toContain("op_agents_renamed");
      await revision(engine, (op) => op.apply(invertOperation({ kind: "renameTable", from: "op_agents", to: "op_agents_renamed" })!));
      expect(await live()).toEqual(before);
    });

    it("createIndex / dropIndex", async () => {
      const index = { name: "ux_op_agents_owner_title", columns: ["ownerId", "title"], unique: true };
      await roundTrip({ kind: "createIndex", table: "op_agents", index }, (after) => {
        expect(tableOf(after, "op_agents").indexes).toContainEqual(index);
      });
      await roundTrip({ kind: "dropIndex", table: "op_agents", name: "ix_op_agents_title", index: { name: "ix_op_agents_title", columns: ["title"], unique: false } }, (after) => {
        expect(tableOf(after, "op_agents").indexes).toEqual([]);
      });
    });

    it("addForeignKey (cascade) / dropForeignKey, enforced while present", async () => {
      const foreignKey = { columns: ["ownerId"], referencedTable: "op_users", referencedColumns: ["id"], onDelete: "cascade" as const, onUpdate: "no action" as const };
      await roundTrip({ kind: "addForeignKey", table: "op_agents", foreignKey }, async (after) => {
        expect(tableOf(after, "op_agents").foreignKeys).toEqual([foreignKey]);
        await expect(engine.db.insertInto("op_agents").values({ id: "00000000-0000-4000-8000-0000000000a3", ownerId: "00000000-0000-4000-8000-00000000dead", title: "x" }).execute()).rejects.toThrow();
      });
      expect(tableOf(await live(), "op_agents").foreignKeys).toEqual([]);
    });

    it("addForeignKey over rows that break it fails and rolls back", async () => {
      await engine.db.insertInto("op_agents").values({ id: "00000000-0000-4000-8000-0000000000a9", ownerId: "00000000-0000-4000-8000-00000000dead", title: "orphan" }).execute();
      const before = await live();
      await expect(
        revision(engine, (op) => op.addForeignKey("op_agents", { columns: ["ownerId"], referencedTable: "op_users", referencedColumns: ["id"] })),
      ).rejects.toThrow();
      expect(await live()).toEqual(before);
    });

    it("addUnique / dropUnique", async () => {
      await roundTrip({ kind: "addUnique", table: "op_agents", columns: ["ownerId", "title"] }, (after) => {
        expect(tableOf(after, "op_agents").uniques).toEqual([["ownerId", "title"]]);
      });
      await roundTrip({ kind: "dropUnique", table: "op_users", columns: ["email"] }, async (after) => {
        expect(tableOf(after, "op_users").uniques).toEqual([]);
      });
    });

    it("createTable / dropTable and execute with its reverse", async () => {
      const table = {
        name: "op_extra",
        columns: [column("id", { kind: "integer" }, { nullable: false }), column("userId", { kind: "uuid" })],
        primaryKey: ["id"],
        uniques: [],
        foreignKeys: [{ columns: ["userId"], referencedTable: "op_users", referencedColumns: ["id"], onDelete: "set null" as const, onUpdate: "no action" as const }],
        indexes: [{ name: "ix_op_extra_user", columns: ["userId"], unique: false }],
        checks: [{ name: "op_extra_id_positive", sql: "id > 0" }],
      };
      await roundTrip({ kind: "createTable", table }, (after) => {
        expect(tableOf(after, "op_extra")).toEqual({ ...table, checks: ["op_extra_id_positive"] });
      });
      await roundTrip({ kind: "execute", sql: "create table op_extra (id integer)", reverseSql: "drop table op_extra" }, (after) => {
        expect(after.tables.map((t) => t.name)).toContain("op_extra");
      });
    });

    it("rebuilding a referenced table keeps the rows that reference it (ON DELETE CASCADE does not fire)", async () => {
      await revision(engine, (op) => op.addForeignKey("op_agents", { columns: ["ownerId"], referencedTable: "op_users", referencedColumns: ["id"], onDelete: "cascade" }));
      await revision(engine, async (op) => {
        await op.alterColumn("op_users", "name", { type: { kind: "varchar", length: 100 } });
        await op.alterColumn("op_users", "email", { nullable: true });
      });
      expect(tableOf(await live(), "op_users").columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
        ["id", { kind: "uuid" }, false],
        ["email", { kind: "text" }, true],
        ["name", { kind: "varchar", length: 100 }, true],
      ]);
      expect((await rows("op_agents")).map((row) => row.title)).toEqual(["first", "second"]);
      expect(tableOf(await live(), "op_agents").foreignKeys).toHaveLength(1);
      // The foreign key still works (and cascades) after the rebuild.
      await engine.db.deleteFrom("op_users").where("id", "=", USER_1).execute();
      expect((await rows("op_agents")).map((row) => row.title)).toEqual(["second"]);
    });

    it("bulkInsert chunks below the parameter limit", async () => {
      const many = Array.from({ length: 700 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(1000 + i).padStart(12, "0")}`, email: `u${i}@example.com`, name: `n${i}` }));
      await revision(engine, (op) => op.bulkInsert("op_users", many));
      const { count } = (await engine.db.selectFrom("op_users").select((eb) => eb.fn.countAll<number>().as("count")).executeTakeFirstOrThrow()) as { count: number | string };
      expect(Number(count)).toBe(702);
    });

    it("offline SQL renders native operations and refuses table rebuilds with a typed error", async () => {
      const script = (up: (op: MigrationOperations) => Promise<void>): RevisionScript => ({ revision: "r1", downRevision: null, path: "r1.ts", checksum: "x", transactional: true, up, down: undefined });
      const native = await renderMigrationSql({
        dialect: dialect.isPostgres ? "postgres" : "sqlite",
        scripts: [script(async (op) => {
          await op.addColumn("op_agents", { name: "note", type: "text" });
          await op.createIndex("op_agents", { name: "ix_note", columns: ["note"] });
          await op.renameColumn("op_agents", "note", "remark");
        })],
        direction: "upgrade",
        target: "head",
      });
      expect(native).toMatch(/alter table "op_agents" add column "note"/i);
      expect(native).toMatch(/create index "ix_note"/i);
      const alter = renderMigrationSql({
        dialect: dialect.isPostgres ? "postgres" : "sqlite",
        scripts: [script((op) => op.alterColumn("op_agents", "title", { nullable: true }))],
        direction: "upgrade",
        target: "head",
      });
      if (dialect.isPostgres) expect(await alter).toContain('alter table "op_agents" alter column "title" drop not null');
      else await expect(alter).rejects.toBeInstanceOf(OfflineRebuildError);
    });

    it("the SQLite editor's foreign-key check fails a revision that leaves dangling references", async () => {
      await revision(engine, (op) => op.addForeignKey("op_agents", { columns: ["ownerId"], referencedTable: "op_users", referencedColumns: ["id"] }));
      await expect(revision(engine, (op) => op.execute(`delete from op_users where id = '${USER_1}'`))).rejects.toThrow();
      expect(await rows("op_users")).toHaveLength(2);
      expect((await sql<{ n: number }>`select 1 as n`.execute(engine.db)).rows).toHaveLength(1);
    });
  },
  ["sqlite-file", "postgres"],
);
