// #region fixtures
// src/fixtures.ts: what `athanor seed` inserts (its `fixtures` export, or the default export).
import { ref, type Fixtures } from "athanor/seed";
import type { DB } from "./seeding-schema.js";

export const fixtures: Fixtures<DB> = {
  // An object names its rows; no id is spelled out (the schema has defaultRandom()).
  users: {
    ada: { email: "ada@example.com", name: "Ada" },
    grace: { email: "grace@example.com", name: "Grace" },
  },
  squads: {
    core: { userId: ref("users", "ada"), name: "core" }, // ada's generated id
  },
  // A list when nothing refers to the rows.
  squad_members: [
    { squadId: ref("squads", "core"), userId: ref("users", "ada"), role: "project_manager" },
    { squadId: ref("squads", "core"), userId: ref("users", "grace"), role: "backend_developer" },
  ],
};
// #endregion fixtures
