import { sql } from "kysely";
import {
  boolean, check, defineSchema, enumeration, float, index, integer, json, primaryKey, table, text, timestamp, timestamps, unique, uuid, varchar, vector,
  type AnyColumnRef, type InferDatabase,
} from "../../src/schema/index.js";

/** The seed documents' schemas, declared once for every dialect. */
export const users = table("users", {
  id: uuid().primaryKey().defaultRandom(),
  email: varchar(255).notNull().unique(),
  name: text().notNull(),
  isActive: boolean().notNull().default(true),
  planTier: enumeration(["free", "pro", "enterprise"]).notNull().default("free"),
  ...timestamps(),
});

export const squads = table(
  "squads",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    status: enumeration(["active", "paused", "archived"]).notNull().default("active"),
    ...timestamps(),
  },
  (t) => [index("ix_squads_user_id").on(t.userId), index("ix_squads_status").on(t.status)],
);

export const squadMembers = table(
  "squad_members",
  {
    squadId: uuid().notNull().references(() => squads.id, { onDelete: "cascade" }),
    userId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text().notNull(),
    systemPrompt: text(),
    ...timestamps(),
  },
  (t) => [primaryKey(t.squadId, t.userId)],
);

export const agents = table(
  "agents",
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    schedule: text(), // cron expression; NULL = not scheduled
    config: json<{ model: string; temperature?: number }>(),
    ...timestamps(),
  },
  (t) => [index("ix_agents_owner_id").on(t.ownerId)],
);

export const personas = table("personas", {
  id: uuid().primaryKey().defaultRandom(),
  name: varchar(255).notNull(),
  description: text(),
  template: text().notNull(),
  isActive: boolean().notNull().default(true),
  ...timestamps(),
});

export const modules = table("modules", {
  id: uuid().primaryKey().defaultRandom(),
  name: varchar(255).notNull(),
  executionContext: enumeration(["IMMEDIATE", "POST_RESPONSE", "ON_DEMAND"]),
  requiresAiInference: boolean().notNull().default(false),
  stagePriority: integer().notNull().default(100).check(sql`"stagePriority" >= 0`),
  ...timestamps(),
});

export const conversations = table("conversations", {
  id: uuid().primaryKey().defaultRandom(),
  title: varchar(255).notNull(),
  personaId: uuid().references(() => personas.id, { onDelete: "set null" }),
  providerConfig: json(),
  ...timestamps(),
});

export const messages = table(
  "messages",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    parentId: uuid().references((): AnyColumnRef => messages.id, { onDelete: "set null" }),
    role: enumeration(["user", "assistant", "system"]).notNull(),
    content: text().notNull(),
    thinking: text(),
    extraData: json<Record<string, unknown>>(),
    inputTokens: integer(),
    outputTokens: integer(),
    ...timestamps(),
  },
  (t) => [index("ix_messages_conversation_created").on(t.conversationId, t.createdAt)],
);

export const conversationStates = table(
  "conversation_states",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    personaId: uuid().notNull().references(() => personas.id, { onDelete: "cascade" }),
    moduleId: uuid().notNull().references(() => modules.id, { onDelete: "cascade" }),
    stateKey: varchar(255).notNull(),
    stateValue: json().notNull(),
    ...timestamps(),
  },
  (t) => [unique().on(t.conversationId, t.personaId, t.moduleId, t.stateKey)],
);

export const conversationMemory = table(
  "conversation_memory",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid().notNull().references(() => conversations.id, { onDelete: "cascade" }),
    personaId: uuid().references(() => personas.id, { onDelete: "set null" }),
    firstMessageId: uuid().references(() => messages.id, { onDelete: "set null" }),
    content: text().notNull(),
    memoryType: varchar(50),
    importance: float().notNull().default(0.5),
    embedding: vector(3),
    metadata: json(),
    lastAccessed: timestamp(),
    accessCount: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [check("conversation_memory_importance_range", sql`importance >= 0 and importance <= 1`)],
);

export const agentPlatform = defineSchema({ users, squads, squadMembers, agents, personas, modules, conversations, messages, conversationStates, conversationMemory });
export type AgentPlatformDB = InferDatabase<typeof agentPlatform>;
