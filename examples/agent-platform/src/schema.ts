// The agent platform's schema: the seed documents' domains, declared once for SQLite and
// PostgreSQL. Column names are snake_case, as the seeds' databases (and the Python services'
// JSON) have them, so the .sql revisions read like seed 003's and the API keeps its field names.
import { sql } from "kysely";
import {
  belongsTo,
  boolean,
  check,
  defineSchema,
  enumeration,
  float,
  hasMany,
  index,
  integer,
  json,
  table,
  text,
  timestamp,
  timestamps,
  unique,
  uuid,
  varchar,
  vector,
  type InferDatabase,
} from "athanor/schema";

/** Seed 002's TimestampMixin, with the seeds' column names. */
const stamped = () => timestamps({ createdAt: "created_at", updatedAt: "updated_at" });

/** Dimensions of a memory embedding (OpenAI's text-embedding-3-small, as seed 003 stores them). */
export const EMBEDDING_DIMENSIONS = 1536;

// ── users and squads (seed 002) ──────────────────────────────────────────────────────────

export const organizations = table("organizations", {
  id: uuid().primaryKey().defaultRandom(),
  name: varchar(255).notNull(),
  slug: varchar(100).notNull().unique(),
  ...stamped(),
});

export const users = table(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    organization_id: uuid().references(() => organizations.id, { onDelete: "set null" }),
    email: varchar(255).notNull().unique(),
    name: text().notNull(),
    is_active: boolean().notNull().default(true),
    plan_tier: enumeration(["free", "pro", "enterprise"]).notNull().default("free"),
    ...stamped(),
  },
  (t) => [index("ix_users_organization_id").on(t.organization_id)],
);

export const squads = table(
  "squads",
  {
    id: uuid().primaryKey().defaultRandom(),
    user_id: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text(),
    status: enumeration(["active", "paused", "archived"]).notNull().default("active"),
    ...stamped(),
  },
  (t) => [index("ix_squads_user_id").on(t.user_id), index("ix_squads_status").on(t.status)],
);

export const squadMembers = table(
  "squad_members",
  {
    id: uuid().primaryKey().defaultRandom(),
    squad_id: uuid().notNull().references(() => squads.id, { onDelete: "cascade" }),
    role: varchar(100).notNull(),
    system_prompt: text(),
    is_active: boolean().notNull().default(true),
    ...stamped(),
  },
  // One member per role in a squad; the key's leading column indexes the foreign key too.
  (t) => [unique().on(t.squad_id, t.role)],
);

// ── agents and their scheduled runs (seed 000) ───────────────────────────────────────────

/** An agent's model settings. */
export interface AgentConfig {
  model: string;
  temperature?: number;
  instructions?: string;
}

export const agents = table(
  "agents",
  {
    id: uuid().primaryKey().defaultRandom(),
    owner_id: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text(),
    schedule: text(), // a cron expression; NULL = not scheduled (seed 000)
    config: json<AgentConfig>(),
    ...stamped(),
  },
  (t) => [index("ix_agents_owner_id").on(t.owner_id), index("ix_agents_schedule").on(t.schedule)],
);

/**
 * One row per due run of a scheduled agent. The unique (agent_id, scheduled_for) key is what
 * makes a run recorded exactly once however many workers find it due.
 */
export const agentRuns = table(
  "agent_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    agent_id: uuid().notNull().references(() => agents.id, { onDelete: "cascade" }),
    scheduled_for: timestamp().notNull(),
    status: enumeration(["running", "succeeded", "failed"]).notNull().default("running"),
    worker: varchar(100).notNull(),
    started_at: timestamp().notNull().defaultNow(),
    finished_at: timestamp(),
    output: json<Record<string, unknown>>(),
    error: text(),
  },
  (t) => [unique().on(t.agent_id, t.scheduled_for), index("ix_agent_runs_status").on(t.status)],
);

/** Seed 002's Feedback: a user's rating of an agent's work. */
export const feedback = table(
  "feedback",
  {
    id: uuid().primaryKey().defaultRandom(),
    agent_id: uuid().notNull().references(() => agents.id, { onDelete: "cascade" }),
    user_id: uuid().references(() => users.id, { onDelete: "set null" }),
    rating: integer().notNull(),
    comment: text(),
    ...stamped(),
  },
  (t) => [index("ix_feedback_agent_id").on(t.agent_id), check("feedback_rating_range", sql`rating between 1 and 5`)],
);

// ── personas, modules, conversations and memory (seed 003) ───────────────────────────────

export const personas = table("personas", {
  id: uuid().primaryKey().defaultRandom(),
  name: varchar(255).notNull(),
  description: text(),
  template: text().notNull(),
  mode: varchar(50),
  loop_frequency: varchar(50),
  first_message: text(),
  image_path: varchar(500),
  is_active: boolean().notNull().default(true),
  ...stamped(),
});

export const modules = table("modules", {
  id: uuid().primaryKey().defaultRandom(),
  name: varchar(255).notNull(),
  description: text(),
  content: text(), // nullable: script-only modules (seed 003, migration 004)
  type: varchar(50).notNull(),
  trigger_pattern: varchar(500),
  script: text(),
  execution_context: enumeration(["IMMEDIATE", "POST_RESPONSE", "ON_DEMAND"]),
  requires_ai_inference: boolean().notNull().default(false),
  stage_priority: integer().notNull().default(100),
  is_active: boolean().notNull().default(true),
  ...stamped(),
});

export const conversations = table(
  "conversations",
  {
    id: uuid().primaryKey().defaultRandom(),
    title: varchar(255).notNull(),
    persona_id: uuid().references(() => personas.id, { onDelete: "set null" }),
    provider_type: varchar(50),
    provider_config: json<Record<string, unknown>>(),
    ...stamped(),
  },
  (t) => [index("ix_conversations_persona_id").on(t.persona_id)],
);

export const messages = table(
  "messages",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversation_id: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    role: varchar(50).notNull(),
    content: text().notNull(),
    thinking: text(),
    extra_data: json<Record<string, unknown>>(),
    input_tokens: integer(),
    output_tokens: integer(),
    ...stamped(),
  },
  (t) => [index("ix_messages_conversation_id_created_at").on(t.conversation_id, t.created_at)],
);

export const conversationStates = table(
  "conversation_states",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversation_id: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    persona_id: uuid().notNull().references(() => personas.id, { onDelete: "cascade" }),
    module_id: uuid().notNull().references(() => modules.id, { onDelete: "cascade" }),
    state_key: varchar(255).notNull(),
    state_value: json().notNull(),
    ...stamped(),
  },
  (t) => [unique().on(t.conversation_id, t.persona_id, t.module_id, t.state_key)],
);

export const conversationMemory = table(
  "conversation_memory",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversation_id: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    persona_id: uuid().references(() => personas.id, { onDelete: "set null" }),
    first_message_id: uuid().references(() => messages.id, { onDelete: "set null" }),
    content: text().notNull(),
    memory_type: varchar(50),
    importance: float().notNull().default(0.5),
    embedding: vector(EMBEDDING_DIMENSIONS),
    metadata: json<Record<string, unknown>>(),
    last_accessed: timestamp(),
    access_count: integer().notNull().default(0),
    ...stamped(),
  },
  (t) => [index("ix_conversation_memory_conversation_id").on(t.conversation_id)],
);

export const schema = defineSchema({
  organizations,
  users,
  squads,
  squadMembers,
  agents,
  agentRuns,
  feedback,
  personas,
  modules,
  conversations,
  messages,
  conversationStates,
  conversationMemory,
});

/** The database's Kysely type, inferred from the schema. */
export type DB = InferDatabase<typeof schema>;

// ── relations, loaded in the same statement as their parent (no N+1) ────────────────────

export const squadMembersOf = hasMany(squads, squadMembers);
export const squadOwner = belongsTo(squads, users);
export const agentRunsOf = hasMany(agents, agentRuns);
export const conversationMessages = hasMany(conversations, messages);
export const conversationPersona = belongsTo(conversations, personas);

declare module "athanor/fastify" {
  interface AthanorFastifyTypes {
    database: DB; // request.db is a Session<DB>, app.athanor.sessions a SessionFactory<DB>
  }
}
