import { defineFactories } from "athanor/testing";
import { schema } from "../../src/schema.js";
import { embedText } from "../../src/services/embed-text.js";

/** Rows for the tests, with their parents made on demand (a squad gets an owner, a message a conversation). */
export const factories = defineFactories(schema, {
  organizations: ({ sequence }) => ({ name: `Org ${sequence}`, slug: `org-${sequence}` }),
  users: ({ sequence }) => ({ email: `user${sequence}@example.com`, name: `User ${sequence}` }),
  squads: ({ sequence }) => ({ name: `squad ${sequence}` }),
  squad_members: ({ sequence }) => ({ role: `role_${sequence}` }),
  agents: ({ sequence }) => ({ name: `agent ${sequence}`, schedule: null, config: { model: "small" } }),
  agent_runs: ({ sequence }) => ({ scheduled_for: new Date(Date.UTC(2026, 0, 1, 0, sequence)), worker: "test" }),
  feedback: () => ({ rating: 4 }),
  personas: ({ sequence }) => ({ name: `Persona ${sequence}`, template: "You are helpful." }),
  modules: ({ sequence }) => ({ name: `module ${sequence}`, type: "simple" }),
  conversations: ({ sequence }) => ({ title: `Conversation ${sequence}` }),
  messages: ({ sequence }) => ({ role: "user", content: `message ${sequence}` }),
  conversation_states: ({ sequence }) => ({ state_key: `key_${sequence}`, state_value: { n: sequence } }),
  conversation_memory: ({ sequence }) => ({ content: `memory ${sequence}`, embedding: embedText(`memory ${sequence}`) }),
});
