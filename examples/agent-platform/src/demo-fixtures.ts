// The demo data `npm start` seeds into an empty database, and `npx athanor seed` seeds on
// demand (athanor.config.ts names this module). Rows carry fixed ids, so seeding twice
// changes nothing and the README's curl examples can name them.
import type { Fixtures } from "athanor/seed";
import type { DB } from "./schema.js";
import { embedText } from "./services/embed-text.js";

/** The demo rows' ids, for the README and the printed curl examples. */
export const DEMO = Object.freeze({
  acme: "0a000000-0000-4000-8000-000000000001",
  ada: "0b000000-0000-4000-8000-000000000001",
  grace: "0b000000-0000-4000-8000-000000000002",
  linus: "0b000000-0000-4000-8000-000000000003",
  coreSquad: "0c000000-0000-4000-8000-000000000001",
  researchSquad: "0c000000-0000-4000-8000-000000000002",
  digestAgent: "0d000000-0000-4000-8000-000000000001",
  triageAgent: "0d000000-0000-4000-8000-000000000002",
  scoutAgent: "0d000000-0000-4000-8000-000000000003",
  assistantPersona: "0e000000-0000-4000-8000-000000000001",
  recallModule: "0f000000-0000-4000-8000-000000000001",
  welcomeConversation: "1a000000-0000-4000-8000-000000000001",
});

const memory = (n: number, content: string, importance: number) => ({
  id: `1c000000-0000-4000-8000-00000000000${n}`,
  conversation_id: DEMO.welcomeConversation,
  persona_id: DEMO.assistantPersona,
  content,
  memory_type: "episodic",
  importance,
  embedding: embedText(content),
});

/** Demo fixtures, seeded in foreign-key order whatever order they are written in (seed 004). */
export const fixtures: Fixtures<DB> = {
  organizations: [{ id: DEMO.acme, name: "Acme Research", slug: "acme" }],
  users: [
    { id: DEMO.ada, organization_id: DEMO.acme, email: "ada@example.com", name: "Ada Lovelace", plan_tier: "pro" },
    { id: DEMO.grace, organization_id: DEMO.acme, email: "grace@example.com", name: "Grace Hopper", plan_tier: "enterprise" },
    { id: DEMO.linus, email: "linus@example.com", name: "Linus Torvalds" },
  ],
  squads: [
    { id: DEMO.coreSquad, user_id: DEMO.ada, name: "core platform", description: "ships the platform" },
    { id: DEMO.researchSquad, user_id: DEMO.grace, name: "research", status: "paused" },
  ],
  squad_members: [
    { id: "0c100000-0000-4000-8000-000000000001", squad_id: DEMO.coreSquad, role: "project_manager", system_prompt: "Plan the work." },
    { id: "0c100000-0000-4000-8000-000000000002", squad_id: DEMO.coreSquad, role: "backend_developer", system_prompt: "Write the code." },
    { id: "0c100000-0000-4000-8000-000000000003", squad_id: DEMO.coreSquad, role: "qa_tester", system_prompt: "Break the code." },
    { id: "0c100000-0000-4000-8000-000000000004", squad_id: DEMO.researchSquad, role: "researcher" },
  ],
  agents: [
    { id: DEMO.digestAgent, owner_id: DEMO.ada, name: "nightly digest", schedule: "0 3 * * *", config: { model: "small", temperature: 0.2 } },
    { id: DEMO.triageAgent, owner_id: DEMO.ada, name: "inbox triage", schedule: "*/5 * * * *", config: { model: "small" } },
    { id: DEMO.scoutAgent, owner_id: DEMO.grace, name: "scout", schedule: null, config: { model: "large" } },
  ],
  feedback: [
    { id: "0d100000-0000-4000-8000-000000000001", agent_id: DEMO.digestAgent, user_id: DEMO.ada, rating: 5, comment: "spot on" },
    { id: "0d100000-0000-4000-8000-000000000002", agent_id: DEMO.digestAgent, user_id: DEMO.grace, rating: 4 },
    { id: "0d100000-0000-4000-8000-000000000003", agent_id: DEMO.triageAgent, user_id: DEMO.ada, rating: 3, comment: "misses threads" },
  ],
  personas: [
    {
      id: DEMO.assistantPersona,
      name: "Helpful Assistant",
      description: "answers briefly",
      template: "You are a helpful assistant. Be brief.",
      mode: "chat",
      first_message: "Hello! How can I help?",
    },
  ],
  modules: [
    { id: DEMO.recallModule, name: "memory recall", type: "advanced", script: "recall(3)", execution_context: "POST_RESPONSE", requires_ai_inference: false, stage_priority: 50 },
  ],
  conversations: [{ id: DEMO.welcomeConversation, title: "Welcome", persona_id: DEMO.assistantPersona, provider_type: "demo", provider_config: { model: "small" } }],
  messages: [
    { id: "1b000000-0000-4000-8000-000000000001", conversation_id: DEMO.welcomeConversation, role: "assistant", content: "Hello! How can I help?" },
    { id: "1b000000-0000-4000-8000-000000000002", conversation_id: DEMO.welcomeConversation, role: "user", content: "When do we deploy the platform?", input_tokens: 9 },
    {
      id: "1b000000-0000-4000-8000-000000000003",
      conversation_id: DEMO.welcomeConversation,
      role: "assistant",
      content: "Deploys go out on Tuesdays after the QA sign-off.",
      thinking: "The squad's notes say Tuesday.",
      output_tokens: 12,
    },
  ],
  conversation_states: [
    {
      id: "1d000000-0000-4000-8000-000000000001",
      conversation_id: DEMO.welcomeConversation,
      persona_id: DEMO.assistantPersona,
      module_id: DEMO.recallModule,
      state_key: "last_recall",
      state_value: { memories: 2 },
    },
  ],
  conversation_memory: [
    memory(1, "Deploys go out on Tuesdays after the QA sign-off.", 0.9),
    memory(2, "Ada prefers short answers with links to the runbook.", 0.6),
    memory(3, "The research squad is paused until the grant renews.", 0.4),
  ],
};
