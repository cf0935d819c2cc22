import { describe, expect, it } from "vitest";
import { InvalidMigrationTargetError } from "../src/errors.js";
import {
  appliedFromHeads,
  buildRevisionGraph,
  currentHeads,
  planMigration,
  type MigrationDirection,
  type MigrationPlan,
  type Revision,
  type RevisionGraph,
} from "../src/migrate/revision-graph/index.js";

// Property checks over random DAGs. The oracles below are written independently of the
// library (plain recursion over the input records), so a bug shared by both is unlikely.

/** mulberry32: a small seeded PRNG, so every failure reproduces from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  readonly records: Revision[];
  readonly parents: ReadonlyMap<string, readonly string[]>;
  readonly random: () => number;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function shuffle<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** A random DAG: each revision follows 0 (a new base), 1, 2 or 3 earlier ones; ids share prefixes on purpose. */
function randomWorld(seed: number): World {
  const random = prng(seed);
  const size = 1 + Math.floor(random() * 24);
  const ids: string[] = [];
  while (ids.length < size) {
    const id = Array.from({ length: 5 }, () => pick(random, ["a", "b", "0", "1", "f"])).join("");
    if (!ids.includes(id)) ids.push(id);
  }
  const parents = new Map<string, string[]>();
  ids.forEach((id, index) => {
    const roll = random();
    const count = index === 0 || roll < 0.07 ? 0 : roll < 0.8 ? 1 : roll < 0.95 ? 2 : 3;
    const chosen = new Set<string>();
    for (let i = 0; i < count; i++) chosen.add(pick(random, ids.slice(0, index)));
    parents.set(id, [...chosen]);
  });
  const records = shuffle(
    random,
    ids.map((id) => {
      const down = parents.get(id) ?? [];
      return { revision: id, downRevision: down.length === 0 ? null : down.length === 1 ? (down[0] as string) : down };
    }),
  );
  return { records, parents, random };
}

function ancestorsOracle(world: World, ids: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const visit = (id: string): void => {
    if (found.has(id)) return;
    found.add(id);
    for (const parent of world.parents.get(id) ?? []) visit(parent);
  };
  for (const id of ids) visit(id);
  return found;
}

function childrenOracle(world: World, id: string): string[] {
  return [...world.parents].filter(([, parents]) => parents.includes(id)).map(([child]) => child);
}

function isClosed(world: World, set: ReadonlySet<string>): boolean {
  return [...set].every((id) => (world.parents.get(id) ?? []).every((parent) => set.has(parent)));
}

/** A random applied state: the ancestor closure of a random subset. */
function randomApplied(world: World): string[] {
  const all = [...world.parents.keys()];
  const chosen = all.filter(() => world.random() < 0.25);
  return shuffle(world.random, [...ancestorsOracle(world, chosen)]);
}

/** Replays a plan step by step, checking each step's dependencies, and returns the final state. */
function replay(world: World, applied: readonly string[], plan: MigrationPlan): Set<string> {
  const state = new Set(applied);
  const violations: string[] = [];
  for (const step of plan.steps) {
    if (step.direction === "upgrade") {
      if (state.has(step.id)) violations.push(`${step.id} applied twice`);
      for (const parent of world.parents.get(step.id) ?? []) {
        if (!state.has(parent)) violations.push(`${step.id} upgraded before its down-revision ${parent}`);
      }
      state.add(step.id);
    } else {
      if (!state.has(step.id)) violations.push(`${step.id} unapplied while not applied`);
      for (const child of childrenOracle(world, step.id)) {
        if (state.has(child)) violations.push(`${step.id} downgraded before its dependant ${child}`);
      }
      state.delete(step.id);
    }
    if (!isClosed(world, state)) violations.push(`state after ${step.direction} ${step.id} is not ancestor-closed`);
  }
  expect(violations).toEqual([]);
  expect([...state].sort()).toEqual([...plan.appliedAfter].sort());
  return state;
}

function planFor(graph: RevisionGraph, applied: readonly string[], target: string, direction: MigrationDirection): MigrationPlan {
  return planMigration(graph, { applied, target, direction });
}

const SEEDS = Array.from({ length: 250 }, (_, i) => i + 1);

describe("revision graph properties over random DAGs", () => {
  it("orders every revision after its down-revisions, and computes heads and bases", () => {
    for (const seed of SEEDS) {
      const world = randomWorld(seed);
      const graph = buildRevisionGraph(world.records);
      expect(graph.order.length, `seed ${seed}`).toBe(world.records.length);
      const position = new Map(graph.order.map((id, index) => [id, index]));
      for (const [id, parents] of world.parents) {
        for (const parent of parents) expect(position.get(parent)! < position.get(id)!, `seed ${seed}: ${parent} before ${id}`).toBe(true);
      }
      const heads = [...world.parents.keys()].filter((id) => childrenOracle(world, id).length === 0);
      expect([...graph.heads].sort(), `seed ${seed}`).toEqual(heads.sort());
      const bases = [...world.parents].filter(([, parents]) => parents.length === 0).map(([id]) => id);
      expect([...graph.bases].sort(), `seed ${seed}`).toEqual(bases.sort());
    }
  });

  it("plans the same steps whatever order the revisions are loaded in", () => {
    for (const seed of SEEDS) {
      const world = randomWorld(seed);
      const graph = buildRevisionGraph(world.records);
      const reshuffled = buildRevisionGraph(shuffle(world.random, world.records));
      expect(reshuffled.order, `seed ${seed}`).toEqual(graph.order);
      const applied = randomApplied(world);
      for (const [target, direction] of [["heads", "upgrade"], ["base", "downgrade"]] as const) {
        const ids = (g: RevisionGraph) => planFor(g, applied, target, direction).steps.map((step) => step.id);
        expect(ids(reshuffled), `seed ${seed}`).toEqual(ids(graph));
      }
    }
  });

  it("upgrades to heads and back to base, returning to an empty state", () => {
    for (const seed of SEEDS) {
      const world = randomWorld(seed);
      const graph = buildRevisionGraph(world.records);
      const start = randomApplied(world);
      const upgrade = planFor(graph, start, "heads", "upgrade");
      expect(upgrade.steps.length, `seed ${seed}`).toBe(world.records.length - start.length);
      const full = replay(world, start, upgrade);
      expect(full.size, `seed ${seed}`).toBe(world.records.length);
      expect([...upgrade.headsAfter].sort()).toEqual([...graph.heads].sort());
      const downgrade = planFor(graph, [...full], "base", "downgrade");
      expect(downgrade.steps.length, `seed ${seed}`).toBe(world.records.length);
      expect(replay(world, [...full], downgrade).size, `seed ${seed}`).toBe(0);
      expect(downgrade.steps.map((step) => step.id), `seed ${seed}`).toEqual([...graph.order].reverse());
    }
  });

  it("upgrades to any revision by applying exactly its missing ancestors", () => {
    for (const seed of SEEDS) {
      const world = randomWorld(seed);
      const graph = buildRevisionGraph(world.records);
      const applied = randomApplied(world);
      const target = pick(world.random, graph.order);
      const plan = planFor(graph, applied, target, "upgrade");
      const expected = new Set([...applied, ...ancestorsOracle(world, [target])]);
      expect([...replay(world, applied, plan)].sort(), `seed ${seed} -> ${target}`).toEqual([...expected].sort());
    }
  });

  it("downgrades to any applied revision by unapplying exactly what builds on it", () => {
    for (const seed of SEEDS) {
      const world = randomWorld(seed);
      const graph = buildRevisionGraph(world.records);
      const applied = randomApplied(world);
      if (applied.length === 0) continue;
      const target = pick(world.random, applied);
      const plan = planFor(graph, applied, target, "downgrade");
      const kept = applied.filter((id) => id === target || !ancestorsOracle(world, [id]).has(target));
      expect([...replay(world, applied, plan)].sort(), `seed ${seed} -> ${target}`).toEqual(kept.sort());
      expect(plan.appliedAfter, `seed ${seed}`).toContain(target);
    }
  });

  it("moves exactly N revisions with +N and -N, or refuses with a typed reason", () => {
    const outcomes = { moved: 0, refused: 0 };
    for (const seed of SEEDS) {
      const world = randomWorld(seed);
      const graph = buildRevisionGraph(world.records);
      for (const direction of ["upgrade", "downgrade"] as const) {
        const applied = randomApplied(world);
        const count = 1 + Math.floor(world.random() * 4);
        const target = `${direction === "upgrade" ? "+" : "-"}${count}`;
        let plan: MigrationPlan;
        try {
          plan = planFor(graph, applied, target, direction);
        } catch (error) {
          expect(error, `seed ${seed} ${target}`).toBeInstanceOf(InvalidMigrationTargetError);
          expect(["out-of-range", "ambiguous-step", "unapplied-merge-parents"]).toContain((error as InvalidMigrationTargetError).reason);
          outcomes.refused++;
          continue;
        }
        outcomes.moved++;
        expect(plan.steps.length, `seed ${seed} ${target}`).toBe(count);
        replay(world, applied, plan);
        // each +1 step applies a revision following the heads of the moment (or a base); each -1 step unapplies the only head
        const state = new Set(applied);
        for (const step of plan.steps) {
          const heads = currentHeads(graph, state);
          if (direction === "upgrade") {
            const follows = heads.length === 0 ? (world.parents.get(step.id) ?? []).length === 0 : heads.some((head) => (world.parents.get(step.id) ?? []).includes(head));
            expect(follows, `seed ${seed}: ${step.id} does not follow ${heads.join(",")}`).toBe(true);
            state.add(step.id);
          } else {
            expect(heads, `seed ${seed}`).toEqual([step.id]);
            state.delete(step.id);
          }
        }
      }
    }
    // the generator must exercise both outcomes, or this property proves little
    expect(outcomes.moved).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(50);
  });

  it("derives heads from applied sets and applied sets from heads, losslessly", () => {
    for (const seed of SEEDS) {
      const world = randomWorld(seed);
      const graph = buildRevisionGraph(world.records);
      const applied = randomApplied(world);
      const heads = currentHeads(graph, applied);
      for (const head of heads) {
        expect(childrenOracle(world, head).some((child) => applied.includes(child)), `seed ${seed}`).toBe(false);
      }
      expect([...appliedFromHeads(graph, heads)].sort(), `seed ${seed}`).toEqual([...applied].sort());
    }
  });
});
