import { describe, expect, it } from "vitest";
import { invertOperations } from "../src/migrate/operations/invert-operation.js";
import { diffSchemas } from "../src/migrate/operations/diff-schemas.js";
import type { Operation } from "../src/migrate/operations/operation.js";
import { renderOperations } from "../src/migrate/operations/render-operation.js";
import type { ColumnModel, SchemaModel, TableModel } from "../src/schema/index.js";

const col = (name: string, kind: "uuid" | "text" | "integer" = "text", extra: Partial<ColumnModel> = {}): ColumnModel => ({ name, type: { kind }, nullable: true, default: undefined, identity: false, ...extra });
const tbl = (name: string, extra: Partial<TableModel> = {}): TableModel => ({
  name,
  columns: [col("id", "uuid", { nullable: false })],
  primaryKey: ["id"],
  uniques: [],
  foreignKeys: [],
  indexes: [],
  checks: [],
  ...extra,
});
const schema = (...tables: TableModel[]): SchemaModel => ({ tables });
const fk = (columns: string[], referencedTable: string, onDelete: "cascade" | "no action" = "no action") => ({ columns, referencedTable, referencedColumns: ["id"], onDelete, onUpdate: "no action" as const });
const kinds = (operations: readonly Operation[]) => operations.map((operation) => `${operation.kind}:${"table" in operation && typeof operation.table === "string" ? operation.table : "name" in operation ? operation.name : operation.kind === "createTable" ? operation.table.name : ""}`);

describe("diffSchemas", () => {
  it("finds nothing between equal models", () => {
    const model = schema(tbl("users"), tbl("agents", { columns: [col("id", "uuid", { nullable: false }), col("ownerId", "uuid")], foreignKeys: [fk(["ownerId"], "users")] }));
    expect(diffSchemas(model, structuredClone(model))).toEqual([]);
  });

  it("compares types and defaults by value, whatever the key order", () => {
    const declared = schema(tbl("t", { columns: [col("id", "uuid", { nullable: false }), { ...col("v"), type: { kind: "varchar", length: 5 }, default: { kind: "value", value: "a" } }] }));
    const live = schema(tbl("t", { columns: [col("id", "uuid", { nullable: false }), { ...col("v"), type: { length: 5, kind: "varchar" } as never, default: { value: "a", kind: "value" } as never }] }));
    expect(diffSchemas(declared, live)).toEqual([]);
  });

  it("creates new tables referenced ones first, drops old ones referencing ones first", () => {
    const declared = schema(
      tbl("runs", { columns: [col("id", "uuid", { nullable: false }), col("agentId", "uuid")], foreignKeys: [fk(["agentId"], "agents", "cascade")] }),
      tbl("agents", { columns: [col("id", "uuid", { nullable: false }), col("ownerId", "uuid")], foreignKeys: [fk(["ownerId"], "users")] }),
      tbl("users"),
    );
    expect(kinds(diffSchemas(declared, schema()))).toEqual(["createTable:users", "createTable:agents", "createTable:runs"]);
    expect(kinds(diffSchemas(schema(), declared))).toEqual(["dropTable:runs", "dropTable:agents", "dropTable:users"]);
  });

  it("drops foreign keys and indexes before the columns and tables they use; adds them after", () => {
    const live = schema(
      tbl("users"),
      tbl("agents", {
        columns: [col("id", "uuid", { nullable: false }), col("ownerId", "uuid"), col("teamId", "uuid")],
        foreignKeys: [fk(["ownerId"], "users"), fk(["teamId"], "teams")],
        indexes: [{ name: "ix_agents_team", columns: ["teamId"], unique: false }],
      }),
      tbl("teams"),
    );
    const declared = schema(
      tbl("users"),
      tbl("agents", {
        columns: [col("id", "uuid", { nullable: false }), col("ownerId", "uuid"), col("squadId", "uuid")],
        foreignKeys: [fk(["ownerId"], "users", "cascade"), fk(["squadId"], "squads")],
        indexes: [{ name: "ix_agents_squad", columns: ["squadId"], unique: false }],
      }),
      tbl("squads"),
    );
    expect(kinds(diffSchemas(declared, live))).toEqual([
      "dropForeignKey:agents", // ownerId: its action changed
      "dropForeignKey:agents", // teamId
      "dropIndex:agents",
      "dropTable:teams",
      "createTable:squads",
      "addColumn:agents",
      "dropColumn:agents",
      "createIndex:agents",
      "addForeignKey:agents",
      "addForeignKey:agents",
    ]);
  });

  it("alters only what changed and remembers what was there", () => {
    const live = schema(tbl("t", { columns: [col("id", "uuid", { nullable: false }), col("a", "text", { nullable: false }), col("b", "integer", { default: { kind: "value", value: 1 } })] }));
    const declared = schema(tbl("t", { columns: [col("id", "uuid", { nullable: false }), col("a", "text"), col("b", "text")] }));
    expect(diffSchemas(declared, live)).toEqual([
      { kind: "alterColumn", table: "t", name: "a", changes: { nullable: true }, previous: { nullable: false } },
      { kind: "alterColumn", table: "t", name: "b", changes: { type: { kind: "text" }, default: null }, previous: { type: { kind: "integer" }, default: { kind: "value", value: 1 } } },
    ]);
  });

  it("uniques: added and dropped by their columns", () => {
    const live = schema(tbl("t", { columns: [col("id", "uuid", { nullable: false }), col("a"), col("b")], uniques: [["a"]] }));
    const declared = schema(tbl("t", { columns: [col("id", "uuid", { nullable: false }), col("a"), col("b")], uniques: [["a", "b"]] }));
    expect(diffSchemas(declared, live)).toEqual([
      { kind: "dropUnique", table: "t", columns: ["a"] },
      { kind: "addUnique", table: "t", columns: ["a", "b"] },
    ]);
  });

  it("the inverse of a diff is the diff the other way round (as a set of changes), in a safe order", () => {
    const a = schema(tbl("users", { columns: [col("id", "uuid", { nullable: false }), col("name")] }), tbl("old"));
    const b = schema(
      tbl("users", { columns: [col("id", "uuid", { nullable: false }), col("name", "text", { nullable: false }), col("bio")], indexes: [{ name: "ix_users_bio", columns: ["bio"], unique: false }] }),
      tbl("agents", { columns: [col("id", "uuid", { nullable: false }), col("ownerId", "uuid")], foreignKeys: [fk(["ownerId"], "users", "cascade")] }),
    );
    const forward = diffSchemas(b, a);
    const back = invertOperations(forward)!;
    expect(back).toBeDefined();
    expect(kinds(back)).toEqual(["dropIndex:users", "dropColumn:users", "alterColumn:users", "dropTable:agents", "createTable:old"]);
    expect(new Set(kinds(back))).toEqual(new Set(kinds(diffSchemas(a, b))));
  });

  it("needs the SQL of checks of tables it creates, and renders them", () => {
    const declared = schema(tbl("t", { checks: ["t_positive"] }));
    expect(() => diffSchemas(declared, schema())).toThrow(/check "t_positive"/);
    const operations = diffSchemas(declared, schema(), { declaredCheckSql: () => "id is not null" });
    expect(renderOperations(operations)).toBe(
      ['await op.createTable("t", {', "  columns: [", '    { name: "id", type: "uuid", nullable: false },', "  ],", '  primaryKey: ["id"],', '  checks: [{ name: "t_positive", sql: "id is not null" }],', "});"].join("\n"),
    );
  });

  it("renders each operation as a call of the op API", () => {
    const operations: Operation[] = [
      { kind: "addColumn", table: "agents", column: col("priority", "integer", { nullable: false, default: { kind: "value", value: 0 } }) },
      { kind: "alterColumn", table: "agents", name: "name", changes: { type: { kind: "varchar", length: 20 }, default: null } },
      { kind: "addForeignKey", table: "agents", foreignKey: fk(["ownerId"], "users", "cascade") },
      { kind: "dropForeignKey", table: "agents", columns: ["ownerId"] },
      { kind: "createIndex", table: "agents", index: { name: "ux", columns: ["a", "b"], unique: true } },
      { kind: "execute", sql: "select 1" },
    ];
    expect(renderOperations(operations).split("\n")).toEqual([
      'await op.addColumn("agents", { name: "priority", type: "integer", nullable: false, default: { value: 0 } });',
      'await op.alterColumn("agents", "name", { type: { kind: "varchar", length: 20 }, default: null });',
      'await op.addForeignKey("agents", { columns: ["ownerId"], referencedTable: "users", referencedColumns: ["id"], onDelete: "cascade" });',
      'await op.dropForeignKey("agents", ["ownerId"]);',
      'await op.createIndex("agents", { name: "ux", columns: ["a", "b"], unique: true });',
      'await op.execute("select 1");',
    ]);
    expect(renderOperations([])).toBe("// no changes");
  });
});
