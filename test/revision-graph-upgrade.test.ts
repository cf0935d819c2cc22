import { describe, expect, it } from "vitest";
import {
  AmbiguousRevisionError,
  InconsistentMigrationStateError,
  InvalidMigrationTargetError,
  MultipleHeadsError,
  UnknownRevisionError,
} from "../src/errors.js";
import { buildRevisionGraph, planMigration } from "../src/migrate/revision-graph/index.js";
import {
  BRANCHED,
  graphOf,
  LINEAR,
  MERGE_THEN_BRANCH,
  MERGED,
  plan,
  revisions,
  THREE_WAY,
  thrown,
  up,
} from "./support/revision-fixtures.js";

describe("upgrade on a linear chain", () => {
  const graph = graphOf(...LINEAR);

  it("applies everything to head from an empty database", () => {
    expect(up(graph, [], "head")).toEqual(["r1", "r2", "r3", "r4"]);
    expect(up(graph, [], "heads")).toEqual(["r1", "r2", "r3", "r4"]);
  });

  it("applies only what is missing from a partial state", () => {
    expect(up(graph, ["r1", "r2"], "head")).toEqual(["r3", "r4"]);
  });

  it("stops at a named revision or prefix", () => {
    expect(up(graph, [], "r2")).toEqual(["r1", "r2"]);
    expect(up(graph, ["r1"], "r3")).toEqual(["r2", "r3"]);
  });

  it("plans nothing when the target is already applied, or is base", () => {
    expect(up(graph, ["r1", "r2", "r3", "r4"], "head")).toEqual([]);
    expect(up(graph, ["r1", "r2", "r3"], "r2")).toEqual([]);
    expect(up(graph, ["r1"], "base")).toEqual([]);
  });

  it("applies +N from base and from the current revision, counting revisions", () => {
    expect(up(graph, [], "+1")).toEqual(["r1"]);
    expect(up(graph, [], "+3")).toEqual(["r1", "r2", "r3"]);
    expect(up(graph, ["r1"], "+1")).toEqual(["r2"]);
    expect(up(graph, ["r1", "r2"], "+2")).toEqual(["r3", "r4"]);
  });

  it("rejects +N past the head, saying how many revisions are left", () => {
    const error = thrown(InvalidMigrationTargetError, () => up(graph, ["r1", "r2"], "+3"));
    expect(error.reason).toBe("out-of-range");
    expect(error.target).toBe("+3");
    expect(error.message).toContain("2 revision(s) available");
    expect(thrown(InvalidMigrationTargetError, () => up(graph, ["r1", "r2", "r3", "r4"], "+1")).reason).toBe("out-of-range");
    expect(thrown(InvalidMigrationTargetError, () => up(buildRevisionGraph([]), [], "+1")).reason).toBe("out-of-range");
  });

  it("applies <rev>+N and <ref>-N targets by walking the graph from the anchor", () => {
    expect(up(graph, [], "r1+2")).toEqual(["r1", "r2", "r3"]);
    expect(up(graph, ["r1"], "head-1")).toEqual(["r2", "r3"]);
    expect(up(graph, [], "base+2")).toEqual(["r1", "r2"]);
    expect(up(graph, ["r1", "r2", "r3"], "r1+1")).toEqual([]);
    expect(thrown(InvalidMigrationTargetError, () => up(graph, [], "r3+2")).reason).toBe("out-of-range");
  });

  it("rejects -N as an upgrade target", () => {
    const error = thrown(InvalidMigrationTargetError, () => up(graph, ["r1", "r2"], "-1"));
    expect(error.reason).toBe("direction");
  });

  it("rejects unknown and ambiguous targets", () => {
    expect(thrown(UnknownRevisionError, () => up(graph, [], "nope")).revision).toBe("nope");
    const prefixed = graphOf("abcd1", "abcd2:abcd1");
    expect(thrown(AmbiguousRevisionError, () => up(prefixed, [], "abcd")).candidates).toEqual(["abcd1", "abcd2"]);
    expect(up(prefixed, [], "abcd2")).toEqual(["abcd1", "abcd2"]);
  });

  it("reports the state before and after, and hands back the caller's records", () => {
    const records = revisions(...LINEAR);
    const result = planMigration(buildRevisionGraph(records), { applied: ["r2", "r1"], target: "+1", direction: "upgrade" });
    expect(result).toMatchObject({
      direction: "upgrade",
      target: "+1",
      appliedBefore: ["r1", "r2"],
      appliedAfter: ["r1", "r2", "r3"],
      headsBefore: ["r2"],
      headsAfter: ["r3"],
    });
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]?.direction).toBe("upgrade");
    expect(result.steps[0]?.record).toBe(records[2]);
  });

  it("accepts a parsed target", () => {
    const result = plan(graph, [], { kind: "anchored", ref: "r1", steps: 1 }, "upgrade");
    expect(result.target).toBe("r1+1");
    expect(result.steps.map((step) => step.id)).toEqual(["r1", "r2"]);
  });

  it("refuses an applied set that is not closed under ancestors or names unknown revisions", () => {
    expect(thrown(InconsistentMigrationStateError, () => up(graph, ["r1", "r3"], "head")).unappliedAncestors).toEqual([
      { revision: "r3", missing: ["r2"] },
    ]);
    expect(thrown(InconsistentMigrationStateError, () => up(graph, ["r1", "gone"], "head")).unknownRevisions).toEqual(["gone"]);
  });

  it("rejects an invalid direction", () => {
    expect(() => planMigration(graph, { applied: [], target: "head", direction: "sideways" as "upgrade" })).toThrow(TypeError);
  });
});

describe("upgrade with branches", () => {
  const graph = graphOf(...BRANCHED);

  it("rejects head when the graph has several heads, naming them, whatever is applied", () => {
    for (const applied of [[], ["root", "a1", "a2"], ["root", "a1", "a2", "b1", "b2"]]) {
      const error = thrown(MultipleHeadsError, () => up(graph, applied, "head"));
      expect(error.heads).toEqual(["a2", "b2"]);
      expect(error.message).toContain('"heads"');
    }
  });

  it("applies every branch with heads, one branch at a time", () => {
    expect(up(graph, [], "heads")).toEqual(["root", "a1", "a2", "b1", "b2"]);
    const result = plan(graph, [], "heads", "upgrade");
    expect(result.headsAfter).toEqual(["a2", "b2"]);
  });

  it("upgrades one branch to a named revision and leaves the other alone", () => {
    expect(up(graph, [], "b2")).toEqual(["root", "b1", "b2"]);
    expect(up(graph, ["root", "a1"], "b1")).toEqual(["b1"]);
    expect(plan(graph, ["root", "a1"], "b1", "upgrade").headsAfter).toEqual(["a1", "b1"]);
  });

  it("upgrades from a partial state on one branch", () => {
    expect(up(graph, ["root", "a1"], "heads")).toEqual(["a2", "b1", "b2"]);
    expect(up(graph, ["root", "b1"], "heads")).toEqual(["a1", "a2", "b2"]);
    expect(up(graph, ["root", "a1"], "a2")).toEqual(["a2"]);
  });

  it("follows the current branch with +N", () => {
    expect(up(graph, ["root", "a1"], "+1")).toEqual(["a2"]);
    expect(up(graph, ["root", "b1"], "+1")).toEqual(["b2"]);
  });

  it("rejects +N at a branch point, naming the choices", () => {
    const error = thrown(InvalidMigrationTargetError, () => up(graph, ["root"], "+1"));
    expect(error.reason).toBe("ambiguous-step");
    expect(error.revisions).toEqual(["a1", "b1"]);
    expect(thrown(InvalidMigrationTargetError, () => up(graph, [], "+2")).revisions).toEqual(["a1", "b1"]);
  });

  it("rejects +N at the head of the current branch even when another branch has unapplied revisions", () => {
    const error = thrown(InvalidMigrationTargetError, () => up(graph, ["root", "a1", "a2"], "+1"));
    expect(error.reason).toBe("out-of-range");
  });

  it("rejects +N from two current heads that lead different ways", () => {
    const error = thrown(InvalidMigrationTargetError, () => up(graph, ["root", "a1", "b1"], "+1"));
    expect(error.reason).toBe("ambiguous-step");
    expect(error.revisions).toEqual(["a2", "b2"]);
  });

  it("applies +N from two current heads when only one of them leads anywhere", () => {
    expect(up(graph, ["root", "a1", "a2", "b1"], "+1")).toEqual(["b2"]);
  });
});

describe("upgrade through merges", () => {
  const graph = graphOf(...MERGED);

  it("applies a merge after all its parents", () => {
    expect(up(graph, [], "head")).toEqual(["root", "a1", "a2", "b1", "m1", "tail"]);
    expect(up(graph, [], "m1")).toEqual(["root", "a1", "a2", "b1", "m1"]);
  });

  it("applies the merge's other branch first when upgrading from a partial state on one branch", () => {
    expect(up(graph, ["root", "a1", "a2"], "head")).toEqual(["b1", "m1", "tail"]);
    expect(up(graph, ["root", "b1"], "head")).toEqual(["a1", "a2", "m1", "tail"]);
    expect(up(graph, ["root", "a1"], "m1")).toEqual(["a2", "b1", "m1"]);
  });

  it("applies a merge with +1 once both parents are the current heads", () => {
    expect(up(graph, ["root", "a1", "a2", "b1"], "+1")).toEqual(["m1"]);
    expect(up(graph, ["root", "a1", "a2", "b1"], "+2")).toEqual(["m1", "tail"]);
  });

  it("rejects +N that reaches a merge whose other parents are not applied", () => {
    const error = thrown(InvalidMigrationTargetError, () => up(graph, ["root", "a1", "a2"], "+1"));
    expect(error.reason).toBe("unapplied-merge-parents");
    expect(error.revisions).toEqual(["b1"]);
    expect(error.message).toContain("upgrade to m1");
  });

  it("applies a three-branch merge after all three branches", () => {
    const three = graphOf(...THREE_WAY);
    expect(up(three, [], "head")).toEqual(["root", "x1", "y1", "y2", "z1", "m3", "t1"]);
    expect(up(three, ["root", "y1"], "m3")).toEqual(["x1", "y2", "z1", "m3"]);
    expect(up(three, ["root", "x1", "y1", "y2", "z1"], "+1")).toEqual(["m3"]);
    // m3 follows x1 and z1 but still needs y2, so y2 is the one revision +1 can apply
    expect(up(three, ["root", "x1", "y1", "z1"], "+1")).toEqual(["y2"]);
    expect(up(three, ["root", "x1", "y1", "z1"], "+3")).toEqual(["y2", "m3", "t1"]);
    const error = thrown(InvalidMigrationTargetError, () => up(three, ["root", "x1", "z1"], "+1"));
    expect(error.reason).toBe("unapplied-merge-parents");
    expect(error.revisions).toEqual(["y1", "y2"]);
  });

  it("handles a merge followed by another branch", () => {
    const graph2 = graphOf(...MERGE_THEN_BRANCH);
    expect(thrown(MultipleHeadsError, () => up(graph2, [], "head")).heads).toEqual(["c1", "d1"]);
    expect(up(graph2, [], "heads")).toEqual(["root", "a1", "b1", "m1", "c1", "d1"]);
    expect(up(graph2, ["root", "a1"], "d1")).toEqual(["b1", "m1", "d1"]);
    expect(up(graph2, ["root", "a1", "b1"], "+1")).toEqual(["m1"]);
    expect(thrown(InvalidMigrationTargetError, () => up(graph2, ["root", "a1", "b1", "m1"], "+1")).revisions).toEqual(["c1", "d1"]);
    expect(up(graph2, ["root", "a1", "b1", "m1", "c1"], "heads")).toEqual(["d1"]);
  });

  it("joins independent bases at a merge", () => {
    const bases = graphOf("p1", "q1", "p2:p1", "j1:p2,q1");
    expect(up(bases, [], "head")).toEqual(["p1", "p2", "q1", "j1"]);
    expect(thrown(InvalidMigrationTargetError, () => up(bases, [], "+1")).revisions).toEqual(["p1", "q1"]);
    expect(up(bases, ["q1"], "p2")).toEqual(["p1", "p2"]);
  });
});

describe("upgrade plans are deterministic", () => {
  it("gives the same steps whatever order the revisions are given in", () => {
    const expected = up(graphOf(...THREE_WAY), ["root", "y1"], "heads");
    const shuffled = [...THREE_WAY].reverse();
    expect(up(graphOf(...shuffled), ["root", "y1"], "heads")).toEqual(expected);
    expect(up(graphOf(...shuffled), ["y1", "root"], "heads")).toEqual(expected);
    const rotated = [...THREE_WAY.slice(3), ...THREE_WAY.slice(0, 3)];
    expect(up(graphOf(...rotated), ["root", "y1"], "heads")).toEqual(expected);
  });

  it("gives the same plan when asked twice", () => {
    const graph = graphOf(...MERGE_THEN_BRANCH);
    expect(plan(graph, ["root"], "heads", "upgrade")).toEqual(plan(graph, ["root"], "heads", "upgrade"));
  });
});
