import type { Fixtures } from "../../src/seed/index.js";
import type { AgentPlatformDB } from "./agent-platform-schema.js";

export const CONCURRENT_SEED_ROWS = 30;

const id = (kind: number, index: number) => `${String(kind).repeat(8)}-0000-4000-8000-${String(index).padStart(12, "0")}`;

/**
 * Fixtures for seeders racing each other: users (half matched by primary key, half by their
 * unique email only), each with a squad and a membership (a composite key), so every table
 * kind of key meets a concurrent insert.
 */
export function concurrentSeedFixtures(): Fixtures<AgentPlatformDB> {
  const indexes = Array.from({ length: CONCURRENT_SEED_ROWS }, (_, index) => index);
  return {
    users: indexes.map((index) =>
      index % 2 === 0 ? { id: id(1, index), email: `user${index}@example.com`, name: `User ${index}` } : { email: `user${index}@example.com`, name: `User ${index}` },
    ),
    squads: indexes.filter((index) => index % 2 === 0).map((index) => ({ id: id(2, index), userId: id(1, index), name: `squad ${index}` })),
    squad_members: indexes.filter((index) => index % 2 === 0).map((index) => ({ squadId: id(2, index), userId: id(1, index), role: "owner" })),
  };
}
