import { ref, type Fixtures } from "../../src/seed/index.js";
import type { AgentPlatformDB } from "./agent-platform-schema.js";

export const CONCURRENT_SEED_ROWS = 30;

const id = (kind: number, index: number) => `${String(kind).repeat(8)}-0000-4000-8000-${String(index).padStart(12, "0")}`;

/**
 * Fixtures for seeders racing each other: users (half matched by primary key, half by their
 * unique email only, named for ref()), each with a squad and a membership (a composite key):
 * even users own their squad; the membership is the next, odd user's, whose generated id a
 * ref() resolves (read back after this seeder's insert, or after another's won the race), so
 * every kind of key and reference meets a concurrent insert.
 */
export function concurrentSeedFixtures(): Fixtures<AgentPlatformDB> {
  const indexes = Array.from({ length: CONCURRENT_SEED_ROWS }, (_, index) => index);
  return {
    users: Object.fromEntries(
      indexes.map((index) => [
        `user${index}`,
        index % 2 === 0 ? { id: id(1, index), email: `user${index}@example.com`, name: `User ${index}` } : { email: `user${index}@example.com`, name: `User ${index}` },
      ]),
    ),
    squads: indexes.filter((index) => index % 2 === 0).map((index) => ({ id: id(2, index), userId: id(1, index), name: `squad ${index}` })),
    squad_members: indexes.filter((index) => index % 2 === 0).map((index) => ({ squadId: id(2, index), userId: ref("users", `user${index + 1}`), role: "member" })),
  };
}
