import { describe, expect, it } from "vitest";
import { InvalidMigrationTargetError, MultipleHeadsError, UnknownRevisionError } from "../src/errors.js";
import {
  BRANCHED,
  down,
  graphOf,
  LINEAR,
  MERGE_THEN_BRANCH,
  MERGED,
  plan,
  THREE_WAY,
  thrown,
} from "./support/revision-fixtures.js";

const ALL_LINEAR = ["r1", "r2", "r3", "r4"];

describe("downgrade on a linear chain", () => {
  const graph = graphOf(...LINEAR);

  it("unapplies everything to base, newest first", () => {
    expect(down(graph, ALL_LINEAR, "base")).toEqual(["r4", "r3", "r2", "r1"]);
    expect(down(graph, ["r1", "r2"], "base")).toEqual(["r2", "r1"]);
    expect(down(graph, [], "base")).toEqual([]);
  });

  it("unapplies -N revisions, counting revisions", () => {
    expect(down(graph, ALL_LINEAR, "-1")).toEqual(["r4"]);
    expect(down(graph, ALL_LINEAR, "-3")).toEqual(["r4", "r3", "r2"]);
    expect(down(graph, ["r1", "r2"], "-2")).toEqual(["r2", "r1"]);
  });

  it("rejects -N below base, saying how many revisions are applied", () => {
    const error = thrown(InvalidMigrationTargetError, () => down(graph, ["r1", "r2"], "-3"));
    expect(error.reason).toBe("out-of-range");
    expect(error.message).toContain("2 revision(s) applied");
    expect(thrown(InvalidMigrationTargetError, () => down(graph, [], "-1")).reason).toBe("out-of-range");
  });

  it("unapplies everything above a named revision", () => {
    expect(down(graph, ALL_LINEAR, "r2")).toEqual(["r4", "r3"]);
    expect(down(graph, ALL_LINEAR, "r1")).toEqual(["r4", "r3", "r2"]);
  });

  it("plans nothing when the target is the current head", () => {
    expect(down(graph, ALL_LINEAR, "r4")).toEqual([]);
    expect(down(graph, ALL_LINEAR, "head")).toEqual([]);
    expect(down(graph, ["r1", "r2"], "r2")).toEqual([]);
  });

  it("rejects a target that is not applied", () => {
    const error = thrown(InvalidMigrationTargetError, () => down(graph, ["r1", "r2"], "r3"));
    expect(error.reason).toBe("not-applied");
    expect(error.revisions).toEqual(["r3"]);
    expect(error.message).toContain("current heads: r2");
    expect(thrown(InvalidMigrationTargetError, () => down(graph, ["r1"], "head")).reason).toBe("not-applied");
  });

  it("unapplies to <rev>-N and <ref>+N targets", () => {
    expect(down(graph, ALL_LINEAR, "r4-2")).toEqual(["r4", "r3"]);
    expect(down(graph, ALL_LINEAR, "head-1")).toEqual(["r4"]);
    expect(down(graph, ALL_LINEAR, "r1+1")).toEqual(["r4", "r3"]);
    expect(down(graph, ALL_LINEAR, "r2-1")).toEqual(["r4", "r3", "r2"]);
    // one step below the first revision is base
    expect(down(graph, ["r1", "r2"], "r1-1")).toEqual(["r2", "r1"]);
    expect(thrown(InvalidMigrationTargetError, () => down(graph, ALL_LINEAR, "r1-2")).reason).toBe("out-of-range");
  });

  it("rejects +N and heads as downgrade targets", () => {
    expect(thrown(InvalidMigrationTargetError, () => down(graph, ALL_LINEAR, "+1")).reason).toBe("direction");
    expect(thrown(InvalidMigrationTargetError, () => down(graph, ALL_LINEAR, "heads")).reason).toBe("direction");
  });

  it("rejects unknown targets", () => {
    thrown(UnknownRevisionError, () => down(graph, ALL_LINEAR, "zzzzzz"));
  });

  it("reports the state before and after", () => {
    const result = plan(graph, ALL_LINEAR, "-2", "downgrade");
    expect(result).toMatchObject({
      direction: "downgrade",
      target: "-2",
      appliedBefore: ALL_LINEAR,
      appliedAfter: ["r1", "r2"],
      headsBefore: ["r4"],
      headsAfter: ["r2"],
    });
    expect(result.steps.every((step) => step.direction === "downgrade")).toBe(true);
    expect(result.steps[0]?.record.revision).toBe("r4");
  });
});

describe("downgrade with branches", () => {
  const graph = graphOf(...BRANCHED);
  const all = ["root", "a1", "a2", "b1", "b2"];

  it("rejects -N from several current heads, naming them", () => {
    const error = thrown(InvalidMigrationTargetError, () => down(graph, all, "-1"));
    expect(error.reason).toBe("ambiguous-step");
    expect(error.revisions).toEqual(["a2", "b2"]);
  });

  it("unapplies one branch with <rev> or <rev>-N, leaving the other alone", () => {
    expect(down(graph, all, "a1")).toEqual(["a2"]);
    expect(down(graph, all, "b2-1")).toEqual(["b2"]);
    expect(plan(graph, all, "b2-1", "downgrade").headsAfter).toEqual(["a2", "b1"]);
  });

  it("unapplies both branches when the target is below the branch point", () => {
    expect(down(graph, all, "root")).toEqual(["b2", "b1", "a2", "a1"]);
    // b2-2 walks down to root, so both branches go, as in Alembic
    expect(down(graph, all, "b2-2")).toEqual(["b2", "b1", "a2", "a1"]);
    expect(down(graph, all, "base")).toEqual(["b2", "b1", "a2", "a1", "root"]);
  });

  it("follows the only current head with -N", () => {
    expect(down(graph, ["root", "b1", "b2"], "-2")).toEqual(["b2", "b1"]);
    // after unapplying a1, root is the only head left
    expect(down(graph, ["root", "a1"], "-2")).toEqual(["a1", "root"]);
  });

  it("rejects a target on a branch that is not applied", () => {
    const error = thrown(InvalidMigrationTargetError, () => down(graph, ["root", "a1", "a2"], "b1"));
    expect(error.reason).toBe("not-applied");
  });

  it("rejects head-1 when the graph has several heads", () => {
    expect(thrown(MultipleHeadsError, () => down(graph, all, "head-1")).heads).toEqual(["a2", "b2"]);
  });
});

describe("downgrade through merges", () => {
  const graph = graphOf(...MERGED);
  const all = ["root", "a1", "a2", "b1", "m1", "tail"];

  it("unapplies a merged graph to base, each revision before what it builds on", () => {
    expect(down(graph, all, "base")).toEqual(["tail", "m1", "b1", "a2", "a1", "root"]);
  });

  it("unapplies only the branch being walked when going below a merge point", () => {
    expect(down(graph, all, "a2")).toEqual(["tail", "m1"]);
    expect(plan(graph, all, "a2", "downgrade").headsAfter).toEqual(["a2", "b1"]);
    expect(down(graph, all, "a1")).toEqual(["tail", "m1", "a2"]);
    expect(plan(graph, all, "a1", "downgrade").appliedAfter).toEqual(["root", "a1", "b1"]);
    expect(down(graph, all, "b1")).toEqual(["tail", "m1"]);
  });

  it("unapplies a merge with -1, then needs a named branch", () => {
    expect(down(graph, ["root", "a1", "a2", "b1", "m1"], "-1")).toEqual(["m1"]);
    expect(down(graph, all, "-2")).toEqual(["tail", "m1"]);
    const error = thrown(InvalidMigrationTargetError, () => down(graph, all, "-3"));
    expect(error.reason).toBe("ambiguous-step");
    expect(error.revisions).toEqual(["a2", "b1"]);
    expect(error.message).toContain("step 3");
  });

  it("rejects <merge>-N, which has more than one way down", () => {
    const error = thrown(InvalidMigrationTargetError, () => down(graph, all, "m1-1"));
    expect(error.reason).toBe("ambiguous-step");
    expect(error.revisions).toEqual(["a2", "b1"]);
  });

  it("unapplies one branch of a three-branch merge", () => {
    const three = graphOf(...THREE_WAY);
    const everything = ["root", "x1", "y1", "y2", "z1", "m3", "t1"];
    expect(down(three, everything, "y1")).toEqual(["t1", "m3", "y2"]);
    expect(plan(three, everything, "y1", "downgrade").headsAfter).toEqual(["x1", "y1", "z1"]);
    expect(down(three, everything, "base")).toEqual(["t1", "m3", "z1", "y2", "y1", "x1", "root"]);
  });

  it("unapplies a branch made after a merge, and the merge below it", () => {
    const graph2 = graphOf(...MERGE_THEN_BRANCH);
    const everything = ["root", "a1", "b1", "m1", "c1", "d1"];
    expect(down(graph2, everything, "m1")).toEqual(["d1", "c1"]);
    expect(down(graph2, everything, "c1")).toEqual([]);
    expect(down(graph2, everything, "a1")).toEqual(["d1", "c1", "m1"]);
    expect(down(graph2, ["root", "a1", "b1", "m1", "c1"], "-2")).toEqual(["c1", "m1"]);
  });
});
