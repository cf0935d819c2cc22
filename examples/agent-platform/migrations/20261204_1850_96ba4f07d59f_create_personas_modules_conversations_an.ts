import { defineMigration } from "athanor/migrate";

export default defineMigration({
  revision: "96ba4f07d59f",
  downRevision: "16aeb6bfbe45",
  message: "create personas, modules, conversations and messages",
  async up(op) {
    await op.createTable("personas", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "name", type: { kind: "varchar", length: 255 }, nullable: false },
        { name: "description", type: "text" },
        { name: "template", type: "text", nullable: false },
        { name: "mode", type: { kind: "varchar", length: 50 } },
        { name: "loop_frequency", type: { kind: "varchar", length: 50 } },
        { name: "first_message", type: "text" },
        { name: "image_path", type: { kind: "varchar", length: 500 } },
        { name: "is_active", type: "boolean", nullable: false, default: { value: true } },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
    });
    await op.createTable("conversations", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "title", type: { kind: "varchar", length: 255 }, nullable: false },
        { name: "persona_id", type: "uuid" },
        { name: "provider_type", type: { kind: "varchar", length: 50 } },
        { name: "provider_config", type: "json" },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      foreignKeys: [
        { columns: ["persona_id"], referencedTable: "personas", referencedColumns: ["id"], onDelete: "set null" },
      ],
      indexes: [
        { name: "ix_conversations_persona_id", columns: ["persona_id"] },
      ],
    });
    await op.createTable("messages", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "conversation_id", type: "uuid", nullable: false },
        { name: "role", type: { kind: "varchar", length: 50 }, nullable: false },
        { name: "content", type: "text", nullable: false },
        { name: "extra_data", type: "json" },
        { name: "input_tokens", type: "integer" },
        { name: "output_tokens", type: "integer" },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      foreignKeys: [
        { columns: ["conversation_id"], referencedTable: "conversations", referencedColumns: ["id"] },
      ],
      indexes: [
        { name: "ix_messages_conversation_id_created_at", columns: ["conversation_id", "created_at"] },
      ],
    });
    await op.createTable("modules", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "name", type: { kind: "varchar", length: 255 }, nullable: false },
        { name: "description", type: "text" },
        { name: "content", type: "text" },
        { name: "type", type: { kind: "varchar", length: 50 }, nullable: false },
        { name: "trigger_pattern", type: { kind: "varchar", length: 500 } },
        { name: "script", type: "text" },
        { name: "execution_context", type: { kind: "enum", values: ["IMMEDIATE", "POST_RESPONSE", "ON_DEMAND"] } },
        { name: "requires_ai_inference", type: "boolean", nullable: false, default: { value: false } },
        { name: "stage_priority", type: "integer", nullable: false, default: { value: 100 } },
        { name: "is_active", type: "boolean", nullable: false, default: { value: true } },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
    });
  },
  async down(op) {
    await op.dropTable("modules");
    await op.dropTable("messages");
    await op.dropTable("conversations");
    await op.dropTable("personas");
  },
});
