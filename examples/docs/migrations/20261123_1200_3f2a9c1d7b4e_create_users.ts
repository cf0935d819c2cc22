import { defineMigration } from "athanor/migrate";

export default defineMigration({
  revision: "3f2a9c1d7b4e",
  downRevision: null, // a string, a list (a merge), or null (a base)
  message: "create users",
  async up(op) {
    await op.createTable("users", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "email", type: "text", nullable: false },
        { name: "name", type: { kind: "varchar", length: 200 } },
      ],
      primaryKey: ["id"],
      uniques: [["email"]],
    });
    await op.bulkInsert("users", [{ id: "00000000-0000-4000-8000-000000000000", email: "root@example.com" }]);
  },
  async down(op) {
    await op.dropTable("users");
  },
});
