import { defineMigration } from "athanor/migrate";

export default defineMigration({
  revision: "16aeb6bfbe45",
  downRevision: null,
  message: "create users, squads and agents",
  async up(op) {
    await op.createTable("organizations", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "name", type: { kind: "varchar", length: 255 }, nullable: false },
        { name: "slug", type: { kind: "varchar", length: 100 }, nullable: false },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      uniques: [["slug"]],
    });
    await op.createTable("users", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "organization_id", type: "uuid" },
        { name: "email", type: { kind: "varchar", length: 255 }, nullable: false },
        { name: "name", type: "text", nullable: false },
        { name: "is_active", type: "boolean", nullable: false, default: { value: true } },
        { name: "plan_tier", type: { kind: "enum", values: ["free", "pro", "enterprise"] }, nullable: false, default: { value: "free" } },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      uniques: [["email"]],
      foreignKeys: [
        { columns: ["organization_id"], referencedTable: "organizations", referencedColumns: ["id"], onDelete: "set null" },
      ],
      indexes: [
        { name: "ix_users_organization_id", columns: ["organization_id"] },
      ],
    });
    await op.createTable("agents", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "owner_id", type: "uuid", nullable: false },
        { name: "name", type: "text", nullable: false },
        { name: "description", type: "text" },
        { name: "schedule", type: "text" },
        { name: "config", type: "json" },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      foreignKeys: [
        { columns: ["owner_id"], referencedTable: "users", referencedColumns: ["id"], onDelete: "cascade" },
      ],
      indexes: [
        { name: "ix_agents_owner_id", columns: ["owner_id"] },
        { name: "ix_agents_schedule", columns: ["schedule"] },
      ],
    });
    await op.createTable("agent_runs", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "agent_id", type: "uuid", nullable: false },
        { name: "scheduled_for", type: "timestamp", nullable: false },
        { name: "status", type: { kind: "enum", values: ["running", "succeeded", "failed"] }, nullable: false, default: { value: "running" } },
        { name: "worker", type: { kind: "varchar", length: 100 }, nullable: false },
        { name: "started_at", type: "timestamp", nullable: false, default: "now" },
        { name: "finished_at", type: "timestamp" },
        { name: "output", type: "json" },
        { name: "error", type: "text" },
      ],
      primaryKey: ["id"],
      uniques: [["agent_id", "scheduled_for"]],
      foreignKeys: [
        { columns: ["agent_id"], referencedTable: "agents", referencedColumns: ["id"], onDelete: "cascade" },
      ],
      indexes: [
        { name: "ix_agent_runs_status", columns: ["status"] },
      ],
    });
    await op.createTable("feedback", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "agent_id", type: "uuid", nullable: false },
        { name: "user_id", type: "uuid" },
        { name: "rating", type: "integer", nullable: false },
        { name: "comment", type: "text" },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      foreignKeys: [
        { columns: ["agent_id"], referencedTable: "agents", referencedColumns: ["id"], onDelete: "cascade" },
        { columns: ["user_id"], referencedTable: "users", referencedColumns: ["id"], onDelete: "set null" },
      ],
      indexes: [
        { name: "ix_feedback_agent_id", columns: ["agent_id"] },
      ],
      checks: [{ name: "feedback_rating_range", sql: "rating between 1 and 5" }],
    });
    await op.createTable("squads", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "user_id", type: "uuid", nullable: false },
        { name: "name", type: "text", nullable: false },
        { name: "description", type: "text" },
        { name: "status", type: { kind: "enum", values: ["active", "paused", "archived"] }, nullable: false, default: { value: "active" } },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      foreignKeys: [
        { columns: ["user_id"], referencedTable: "users", referencedColumns: ["id"], onDelete: "cascade" },
      ],
      indexes: [
        { name: "ix_squads_status", columns: ["status"] },
        { name: "ix_squads_user_id", columns: ["user_id"] },
      ],
    });
    await op.createTable("squad_members", {
      columns: [
        { name: "id", type: "uuid", nullable: false, default: "randomUuid" },
        { name: "squad_id", type: "uuid", nullable: false },
        { name: "role", type: { kind: "varchar", length: 100 }, nullable: false },
        { name: "system_prompt", type: "text" },
        { name: "is_active", type: "boolean", nullable: false, default: { value: true } },
        { name: "created_at", type: "timestamp", nullable: false, default: "now" },
        { name: "updated_at", type: "timestamp", nullable: false, default: "now" },
      ],
      primaryKey: ["id"],
      uniques: [["squad_id", "role"]],
      foreignKeys: [
        { columns: ["squad_id"], referencedTable: "squads", referencedColumns: ["id"], onDelete: "cascade" },
      ],
    });
  },
  async down(op) {
    await op.dropTable("squad_members");
    await op.dropTable("squads");
    await op.dropTable("feedback");
    await op.dropTable("agent_runs");
    await op.dropTable("agents");
    await op.dropTable("users");
    await op.dropTable("organizations");
  },
});
