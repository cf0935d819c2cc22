import { defineMigration } from "athanor/migrate";

export default defineMigration({
  revision: "6ebb783c3068",
  downRevision: "b841aa6afc69",
  message: "add conversation states and memory",
  async up(op) {
    await op.createTable("conversation_memory", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "conversation_id", type: "uuid", nullable: false },
        { name: "persona_id", type: "uuid" },
        { name: "first_message_id", type: "uuid" },
        { name: "content", type: "text", nullable: false },
        { name: "memory_type", type: { kind: "varchar", length: 50 } },
        { name: "importance", type: "float", nullable: false, default: { value: 0.5 } },
        { name: "embedding", type: { kind: "vector", dimensions: 1536 } },
        { name: "metadata", type: "json" },
        { name: "last_accessed", type: "timestamp" },
        { name: "access_count", type: "integer", nullable: false, default: { value: 0 } },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      foreignKeys: [
        { columns: ["conversation_id"], referencedTable: "conversations", referencedColumns: ["id"], onDelete: "cascade" },
        { columns: ["first_message_id"], referencedTable: "messages", referencedColumns: ["id"], onDelete: "set null" },
        { columns: ["persona_id"], referencedTable: "personas", referencedColumns: ["id"], onDelete: "set null" },
      ],
      indexes: [
        { name: "ix_conversation_memory_conversation_id", columns: ["conversation_id"] },
      ],
    });
    await op.createTable("conversation_states", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "conversation_id", type: "uuid", nullable: false },
        { name: "persona_id", type: "uuid", nullable: false },
        { name: "module_id", type: "uuid", nullable: false },
        { name: "state_key", type: { kind: "varchar", length: 255 }, nullable: false },
        { name: "state_value", type: "json", nullable: false },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      uniques: [["conversation_id", "persona_id", "module_id", "state_key"]],
      foreignKeys: [
        { columns: ["conversation_id"], referencedTable: "conversations", referencedColumns: ["id"], onDelete: "cascade" },
        { columns: ["module_id"], referencedTable: "modules", referencedColumns: ["id"], onDelete: "cascade" },
        { columns: ["persona_id"], referencedTable: "personas", referencedColumns: ["id"], onDelete: "cascade" },
      ],
    });
  },
  async down(op) {
    await op.dropTable("conversation_states");
    await op.dropTable("conversation_memory");
  },
});
